"""The person decider's roster upsert: given events, when SyncPerson, then events (or error)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.directory.domain.commands import SyncPerson
from services.directory.domain.events import (
    GuardianLinked,
    PersonDetailsChanged,
    PersonEnrolled,
    PersonKind,
    PersonLeft,
    RoleAssigned,
)
from services.directory.domain.person import person
from shared.claims import Role
from shared.errors import InvalidInput
from shared.events import Event

SCHOOL = "oakridge"
BORN = date(2016, 3, 2)


def sync(**extra: Any) -> SyncPerson:
    fields: dict[str, Any] = {"school_id": SCHOOL, "person_id": "p1", "kind": PersonKind.PUPIL,
                              "mis_id": "M1", "given_name": "Amy", "family_name": "Ng",
                              "year_group": 4, "class_name": "4B", "date_of_birth": BORN}
    return SyncPerson(**(fields | extra))


ENROLLED = PersonEnrolled(person_id="p1", school_id=SCHOOL, kind=PersonKind.PUPIL,
                          given_name="Amy", family_name="Ng", year_group=4, class_name="4B",
                          mis_id="M1", date_of_birth=BORN)


def when(given: list[Event], command: SyncPerson) -> list[Event]:
    return list(person.decide(command, person.fold(given)))


class TestCreate:
    def test_a_new_pupil_is_enrolled_with_their_details(self) -> None:
        assert when([], sync()) == [ENROLLED]

    def test_a_new_teacher_is_enrolled_with_their_roles(self) -> None:
        cmd = sync(person_id="s1", kind=PersonKind.STAFF, mis_id="T1", year_group=None,
                   class_name=None, roles=frozenset({Role.TEACHER}))
        enrolled, assigned = when([], cmd)
        assert isinstance(enrolled, PersonEnrolled) and enrolled.kind is PersonKind.STAFF
        assert assigned == RoleAssigned(person_id="s1", role=Role.TEACHER)

    def test_a_new_parent_is_linked_to_their_children(self) -> None:
        cmd = sync(person_id="g1", kind=PersonKind.PARENT, mis_id="G1", year_group=None,
                   class_name=None, guardian_of={"p1": "mother"})
        assert when([], cmd)[1:] == [GuardianLinked(person_id="g1", pupil_id="p1",
                                                    relationship="mother",
                                                    parental_responsibility=True)]

    def test_a_pupil_without_a_year_group_is_refused_whole(self) -> None:
        with pytest.raises(InvalidInput):
            when([], sync(year_group=None))


class TestUpdate:
    def test_the_same_row_again_changes_nothing(self) -> None:
        assert when([ENROLLED], sync()) == []

    def test_changed_details_are_recorded_in_full(self) -> None:
        assert when([ENROLLED], sync(class_name="5A", year_group=5)) == [PersonDetailsChanged(
            person_id="p1", given_name="Amy", family_name="Ng", year_group=5, class_name="5A",
            date_of_birth=BORN)]

    def test_after_a_change_the_new_details_are_the_baseline(self) -> None:
        changed = when([ENROLLED], sync(class_name="5A"))
        assert when([ENROLLED, *changed], sync(class_name="5A")) == []

    def test_only_new_roles_are_added_and_none_removed(self) -> None:
        staff = PersonEnrolled(person_id="s1", school_id=SCHOOL, kind=PersonKind.STAFF,
                               given_name="Amy", family_name="Ng", mis_id="T1")
        given: list[Event] = [staff, RoleAssigned(person_id="s1", role=Role.DSL)]
        cmd = sync(person_id="s1", kind=PersonKind.STAFF, mis_id="T1", year_group=None,
                   class_name=None, date_of_birth=None, roles=frozenset({Role.TEACHER}))
        assert when(given, cmd) == [RoleAssigned(person_id="s1", role=Role.TEACHER)]

    def test_the_kind_cannot_change(self) -> None:
        with pytest.raises(InvalidInput) as err:
            when([ENROLLED], sync(kind=PersonKind.STAFF, year_group=None))
        assert err.value.field == "kind"

    def test_a_leaver_is_not_brought_back_by_a_row(self) -> None:
        left = PersonLeft(person_id="p1", left_on=date(2026, 7, 20), reason="left")
        with pytest.raises(InvalidInput):
            when([ENROLLED, left], sync())

    def test_roles_must_fit_the_kind(self) -> None:
        with pytest.raises(InvalidInput):
            when([ENROLLED], sync(roles=frozenset({Role.TEACHER})))
