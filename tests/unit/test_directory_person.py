"""The person decider: given events, when a command, then events (or an error)."""

from __future__ import annotations

from datetime import date

import pytest

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
from services.directory.domain.person import PersonCommand, person
from shared.claims import Role
from shared.errors import AlreadyExists, DomainError, InvalidInput, NotFound
from shared.events import Event

SCHOOL = "oakridge"
ENROLLED_STAFF = PersonEnrolled(person_id="s1", school_id=SCHOOL, kind=PersonKind.STAFF,
                                given_name="Emma", family_name="Perkin")
ENROLLED_PUPIL = PersonEnrolled(person_id="p1", school_id=SCHOOL, kind=PersonKind.PUPIL,
                                given_name="Amy", family_name="Ng", year_group=4)
ENROLLED_PARENT = PersonEnrolled(person_id="g1", school_id=SCHOOL, kind=PersonKind.PARENT,
                                 given_name="Jo", family_name="Ng")
HASH = "$argon2id$v=19$m=65536,t=3,p=4$abcdefghijklmnop"


def when(given: list[Event], command: PersonCommand) -> list[Event]:
    return list(person.decide(command, person.fold(given)))


def enrol(kind: PersonKind, year_group: int | None = None) -> EnrolPerson:
    return EnrolPerson(school_id=SCHOOL, person_id="x1", kind=kind, given_name="A",
                       family_name="B", year_group=year_group)


class TestEnrol:
    def test_a_pupil_is_enrolled_with_a_year_group(self) -> None:
        assert when([], enrol(PersonKind.PUPIL, 0)) == [PersonEnrolled(
            person_id="x1", school_id=SCHOOL, kind=PersonKind.PUPIL, given_name="A",
            family_name="B", year_group=0)]

    def test_a_pupil_needs_a_year_group(self) -> None:
        with pytest.raises(InvalidInput) as err:
            when([], enrol(PersonKind.PUPIL))
        assert err.value.field == "year_group"

    def test_only_pupils_have_a_year_group(self) -> None:
        with pytest.raises(InvalidInput):
            when([], enrol(PersonKind.STAFF, 3))

    def test_the_same_person_cannot_be_enrolled_twice(self) -> None:
        with pytest.raises(AlreadyExists):
            when([ENROLLED_STAFF], enrol(PersonKind.STAFF).model_copy(update={"person_id": "s1"}))


class TestRoles:
    @pytest.mark.parametrize(("given", "role", "then"), [
        ([ENROLLED_STAFF], Role.DSL, [RoleAssigned(person_id="s1", role=Role.DSL)]),
        ([ENROLLED_STAFF, RoleAssigned(person_id="s1", role=Role.DSL)], Role.DSL, []),
    ])
    def test_assigning_is_idempotent(self, given: list[Event], role: Role,
                                     then: list[Event]) -> None:
        assert when(given, AssignRole(school_id=SCHOOL, person_id="s1", role=role)) == then

    @pytest.mark.parametrize(("kind_event", "role"), [
        (ENROLLED_PUPIL, Role.TEACHER),
        (ENROLLED_PARENT, Role.GOVERNOR),
        (ENROLLED_STAFF, Role.LA_MODERATOR),
    ])
    def test_a_role_must_fit_the_kind_of_person(self, kind_event: PersonEnrolled,
                                                role: Role) -> None:
        with pytest.raises(InvalidInput):
            when([kind_event], AssignRole(school_id=SCHOOL, person_id=kind_event.person_id,
                                          role=role))

    def test_removing_a_held_role(self) -> None:
        given = [ENROLLED_STAFF, RoleAssigned(person_id="s1", role=Role.TEACHER)]
        assert when(given, RemoveRole(school_id=SCHOOL, person_id="s1", role=Role.TEACHER)) \
            == [RoleRemoved(person_id="s1", role=Role.TEACHER)]
        assert when(given, RemoveRole(school_id=SCHOOL, person_id="s1", role=Role.DSL)) == []


class TestTenancy:
    def test_another_schools_person_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            when([ENROLLED_STAFF], AssignRole(school_id="glenfield", person_id="s1",
                                              role=Role.DSL))

    def test_an_unknown_person_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            when([], RecordLeaver(school_id=SCHOOL, person_id="s1", left_on=date(2026, 7, 20)))


class TestGuardians:
    def test_a_parent_is_linked_once(self) -> None:
        link = LinkGuardian(school_id=SCHOOL, person_id="g1", pupil_id="p1", relationship="mother")
        linked = GuardianLinked(person_id="g1", pupil_id="p1", relationship="mother",
                                parental_responsibility=True)
        assert when([ENROLLED_PARENT], link) == [linked]
        assert when([ENROLLED_PARENT, linked], link) == []

    def test_a_contact_without_parental_responsibility_says_so(self) -> None:
        link = LinkGuardian(school_id=SCHOOL, person_id="g1", pupil_id="p1",
                            relationship="grandmother", parental_responsibility=False)
        assert when([ENROLLED_PARENT], link) == [GuardianLinked(
            person_id="g1", pupil_id="p1", relationship="grandmother",
            parental_responsibility=False)]

    def test_only_parents_are_linked(self) -> None:
        with pytest.raises(InvalidInput):
            when([ENROLLED_STAFF], LinkGuardian(school_id=SCHOOL, person_id="s1", pupil_id="p1"))


class TestLeavers:
    def test_a_leaver_loses_roles_and_cannot_be_changed(self) -> None:
        left = PersonLeft(person_id="s1", left_on=date(2026, 7, 20), reason="retired")
        given: list[Event] = [ENROLLED_STAFF, RoleAssigned(person_id="s1", role=Role.DSL), left]
        assert person.fold(given).roles == frozenset()
        with pytest.raises(InvalidInput):
            when(given, AssignRole(school_id=SCHOOL, person_id="s1", role=Role.TEACHER))

    def test_recording_a_leaver(self) -> None:
        cmd = RecordLeaver(school_id=SCHOOL, person_id="p1", left_on=date(2026, 7, 20),
                           reason="moved school")
        assert when([ENROLLED_PUPIL], cmd) == [PersonLeft(
            person_id="p1", left_on=date(2026, 7, 20), reason="moved school")]


class TestAccounts:
    def test_one_login_per_person(self) -> None:
        cmd = OpenAccount(school_id=SCHOOL, person_id="s1", username="oakridge.esafety",
                          password_hash=HASH)
        opened = AccountOpened(person_id="s1", username="oakridge.esafety")
        assert when([ENROLLED_STAFF], cmd) == [opened]
        with pytest.raises(AlreadyExists):
            when([ENROLLED_STAFF, opened], cmd)


def test_every_refusal_is_a_typed_domain_error() -> None:
    with pytest.raises(DomainError) as err:
        when([], AssignRole(school_id=SCHOOL, person_id="nobody", role=Role.DSL))
    assert err.value.code == "not_found"


def test_recording_a_leaver_twice_changes_nothing() -> None:
    left = PersonLeft(person_id="p1", left_on=date(2026, 7, 20), reason="moved school")
    again = RecordLeaver(school_id=SCHOOL, person_id="p1", left_on=date(2026, 7, 21))
    assert when([ENROLLED_PUPIL, left], again) == []
