"""The class decider: given events, when a command, then events (or an error)."""

from __future__ import annotations

import pytest

from services.directory.domain.commands import CloseClass, RecordClass
from services.directory.domain.events import ClassClosed, ClassRecorded
from services.directory.domain.school_class import ClassCommand, school_class
from shared.errors import NotFound
from shared.events import Event

RECORD = RecordClass(school_id="oakridge", class_id="c-robins", name="Robins", year_group=0,
                     teacher_ids=("t-2", "t-1", "t-2"), mis_id="CLS-1")
RECORDED = ClassRecorded(school_id="oakridge", class_id="c-robins", name="Robins",
                         year_group=0, teacher_ids=["t-1", "t-2"], mis_id="CLS-1")
CLOSED = ClassClosed(school_id="oakridge", class_id="c-robins")


def when(given: list[Event], command: ClassCommand) -> list[Event]:
    return list(school_class.decide(command, school_class.fold(given)))


class TestRecord:
    def test_a_new_class_is_recorded_with_its_teachers_once_each(self) -> None:
        assert when([], RECORD) == [RECORDED]

    def test_the_same_again_changes_nothing(self) -> None:
        assert when([RECORDED], RECORD) == []

    def test_a_renamed_class_is_recorded_as_it_now_is(self) -> None:
        renamed = RECORD.model_copy(update={"name": "Little Robins"})
        assert when([RECORDED], renamed) == [RECORDED.model_copy(
            update={"name": "Little Robins"})]

    def test_a_closed_class_recorded_again_reopens(self) -> None:
        assert when([RECORDED, CLOSED], RECORD) == [RECORDED]

    def test_another_schools_class_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            when([RECORDED], RECORD.model_copy(update={"school_id": "glenfield"}))


class TestClose:
    def test_closed_once_then_nothing(self) -> None:
        close = CloseClass(school_id="oakridge", class_id="c-robins")
        assert when([RECORDED], close) == [CLOSED]
        assert when([RECORDED, CLOSED], close) == []

    def test_an_unknown_class_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            when([], CloseClass(school_id="oakridge", class_id="c-robins"))
