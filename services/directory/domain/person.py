"""The person decider: enrolment, roles, guardianship, leaving, login account."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import assert_never

from services.directory.domain.commands import (
    AssignRole,
    EnrolPerson,
    LinkGuardian,
    OpenAccount,
    RecordLeaver,
    RemoveRole,
    SyncPerson,
)
from services.directory.domain.events import (
    AccountOpened,
    GuardianLinked,
    PersonDetailsChanged,
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

PersonCommand = (EnrolPerson | AssignRole | RemoveRole | LinkGuardian | RecordLeaver | OpenAccount
                 | SyncPerson)

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
    details: Details | None = None


@dataclass(frozen=True)
class Details:
    """What a roster sync may change, compared as a whole to tell an update from a no-op."""

    given_name: str
    family_name: str
    year_group: int | None = None
    class_name: str | None = None
    email: str | None = None
    date_of_birth: date | None = None

    @classmethod
    def of(cls, source: EnrolPerson | SyncPerson | PersonEnrolled | PersonDetailsChanged
           ) -> Details:
        return cls(source.given_name, source.family_name, source.year_group, source.class_name,
                   source.email, source.date_of_birth)


def decide(command: PersonCommand, state: Person) -> list[Event]:
    if isinstance(command, EnrolPerson):
        return _enrol(command, state)
    if isinstance(command, SyncPerson) and not state.exists:
        return _enrol_from_roster(command, state)
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
        case LinkGuardian(pupil_id=pupil_id, relationship=relationship,
                          parental_responsibility=responsible):
            if state.kind is not PersonKind.PARENT:
                raise InvalidInput("only a parent/carer can be linked to a pupil",
                                   field="person_id")
            if pupil_id in state.guardian_of:
                return []
            return [GuardianLinked(person_id=command.person_id, pupil_id=pupil_id,
                                   relationship=relationship,
                                   parental_responsibility=responsible)]
        case RecordLeaver(left_on=left_on, reason=reason):
            return [PersonLeft(person_id=command.person_id, left_on=left_on, reason=reason)]
        case OpenAccount(username=username):
            if state.username is not None:
                raise AlreadyExists(f"{command.person_id} already has a login", field="username")
            return [AccountOpened(person_id=command.person_id, username=username)]
        case SyncPerson():
            return _sync(command, state)
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


def _enrol_from_roster(command: SyncPerson, state: Person) -> list[Event]:
    enrolled = _enrol(EnrolPerson(**command.model_dump(exclude={"roles", "guardian_of"})), state)
    return enrolled + _additions(command, Person(kind=command.kind))


def _sync(command: SyncPerson, state: Person) -> list[Event]:
    """Only what differs: the same roster row applied twice yields nothing the second time."""
    if command.kind is not state.kind:
        raise InvalidInput(f"{command.mis_id} is a {state.kind} here, not a {command.kind}",
                           field="kind")
    _enrol(EnrolPerson(**command.model_dump(exclude={"roles", "guardian_of"})), Person())
    details = Details.of(command)
    changed: list[Event] = [] if details == state.details else [PersonDetailsChanged(
        person_id=command.person_id, **asdict(details))]
    return changed + _additions(command, state)


def _additions(command: SyncPerson, state: Person) -> list[Event]:
    """Roles and guardian links the roster adds. It never removes what the platform granted
    (a DSL role, say, is the school's decision, not the MIS's)."""
    allowed = ROLES_BY_KIND.get(command.kind, frozenset())
    refused = sorted(r.value for r in command.roles - allowed)
    if refused:
        raise InvalidInput(f"a {command.kind} cannot hold the roles {', '.join(refused)}",
                           field="roles")
    if command.guardian_of and command.kind is not PersonKind.PARENT:
        raise InvalidInput("only a parent/carer can be linked to a pupil", field="guardian_of")
    pid = command.person_id
    return [*(RoleAssigned(person_id=pid, role=r) for r in sorted(command.roles - state.roles)),
            # MIS rosters carry no responsibility flag: as LinkGuardian's default.
            *(GuardianLinked(person_id=pid, pupil_id=p, relationship=rel,
                             parental_responsibility=True)
              for p, rel in sorted(command.guardian_of.items()) if p not in state.guardian_of)]


def evolve(state: Person, event: Event) -> Person:
    match event:
        case PersonEnrolled(school_id=school_id, kind=kind):
            return Person(exists=True, school_id=school_id, kind=kind,
                          details=Details.of(event))
        case PersonDetailsChanged():
            return replace(state, details=Details.of(event))
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
