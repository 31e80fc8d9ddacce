"""The person decider: enrolment, roles, guardianship, leaving, login account."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import assert_never

from services.directory.domain.commands import (
    AssignRole,
    EnrolPerson,
    LinkGuardian,
    OpenAccount,
    RecordLeaver,
    RemoveRole,
)
from services.directory.domain.events import (
    AccountOpened,
    GuardianLinked,
    PersonEnrolled,
    PersonKind,
    PersonLeft,
    RoleAssigned,
    RoleRemoved,
)
from shared.claims import LA_ROLES, SCHOOL_ROLES, Role
from shared.decider import Decider
from shared.errors import AlreadyExists, InvalidInput, NotFound
from shared.events import Event

PersonCommand = EnrolPerson | AssignRole | RemoveRole | LinkGuardian | RecordLeaver | OpenAccount

# Which roles each kind of person may hold (pupils, parents and visitors hold none).
ROLES_BY_KIND: dict[PersonKind, frozenset[Role]] = {
    PersonKind.STAFF: SCHOOL_ROLES,
    PersonKind.GOVERNOR: frozenset({Role.GOVERNOR}),
    PersonKind.LA_STAFF: LA_ROLES,
}


@dataclass(frozen=True)
class Person:
    exists: bool = False
    school_id: str = ""
    kind: PersonKind | None = None
    roles: frozenset[Role] = frozenset()
    guardian_of: frozenset[str] = frozenset()
    left: bool = False
    username: str | None = None


def decide(command: PersonCommand, state: Person) -> list[Event]:
    if isinstance(command, EnrolPerson):
        return _enrol(command, state)
    # A person of another school is "not found": never confirm another tenant's ids.
    if not state.exists or state.school_id != command.school_id:
        raise NotFound(f"no person {command.person_id} at this school", field="person_id")
    if state.left and isinstance(command, RecordLeaver):
        return []  # already recorded: recording it again changes nothing
    if state.left:
        raise InvalidInput(f"{command.person_id} has left the school", field="person_id")
    match command:
        case AssignRole(role=role):
            allowed = ROLES_BY_KIND.get(state.kind or PersonKind.PUPIL, frozenset())
            if role not in allowed:
                raise InvalidInput(f"a {state.kind} cannot hold the role {role}", field="role")
            return [] if role in state.roles else [RoleAssigned(person_id=command.person_id,
                                                                role=role)]
        case RemoveRole(role=role):
            return [RoleRemoved(person_id=command.person_id, role=role)] \
                if role in state.roles else []
        case LinkGuardian(pupil_id=pupil_id, relationship=relationship):
            if state.kind is not PersonKind.PARENT:
                raise InvalidInput("only a parent/carer can be linked to a pupil",
                                   field="person_id")
            if pupil_id in state.guardian_of:
                return []
            return [GuardianLinked(person_id=command.person_id, pupil_id=pupil_id,
                                   relationship=relationship)]
        case RecordLeaver(left_on=left_on, reason=reason):
            return [PersonLeft(person_id=command.person_id, left_on=left_on, reason=reason)]
        case OpenAccount(username=username):
            if state.username is not None:
                raise AlreadyExists(f"{command.person_id} already has a login", field="username")
            return [AccountOpened(person_id=command.person_id, username=username)]
        case _:
            assert_never(command)


def _enrol(command: EnrolPerson, state: Person) -> list[Event]:
    if state.exists:
        raise AlreadyExists(f"person {command.person_id} already exists", field="person_id")
    if command.kind is PersonKind.PUPIL and command.year_group is None:
        raise InvalidInput("a pupil needs a year group", field="year_group")
    if command.kind is not PersonKind.PUPIL and command.year_group is not None:
        raise InvalidInput("only pupils have a year group", field="year_group")
    return [PersonEnrolled(**command.model_dump())]


def evolve(state: Person, event: Event) -> Person:
    match event:
        case PersonEnrolled(school_id=school_id, kind=kind):
            return Person(exists=True, school_id=school_id, kind=kind)
        case RoleAssigned(role=role):
            return replace(state, roles=state.roles | {role})
        case RoleRemoved(role=role):
            return replace(state, roles=state.roles - {role})
        case GuardianLinked(pupil_id=pupil_id):
            return replace(state, guardian_of=state.guardian_of | {pupil_id})
        case PersonLeft():
            return replace(state, left=True, roles=frozenset())
        case AccountOpened(username=username):
            return replace(state, username=username)
        case _:
            return state


person = Decider[PersonCommand, Person]("person", Person(), decide, evolve)
