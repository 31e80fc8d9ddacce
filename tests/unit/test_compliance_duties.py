"""Training, filtering summaries and reminders: given events, when a command, then events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.compliance.domain.commands import RecordTraining
from services.compliance.domain.events import (
    ReminderSent,
    ReminderSubject,
    TrainingKind,
    TrainingRecorded,
)
from services.compliance.domain.filtering import SummaryIn, received, summary
from services.compliance.domain.reminders import WINDOW, Due, due_items, reminder
from services.compliance.domain.training import Recording, standing, training
from services.compliance.training import command_of, parse_csv
from services.directory.replica import Member
from shared.batch import validated
from shared.errors import InvalidInput
from shared.events import Event
from shared.mail import Recipient

S = "oakridge"
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
INDUCTION = RecordTraining(school_id=S, person_id="oakridge-ta", kind=TrainingKind.INDUCTION,
                           completed_on=date(2026, 9, 2), provider="Northshire LA",
                           evidence="certificate on file")
INDUCTED = TrainingRecorded(**INDUCTION.model_dump(),
                            record_id="oakridge-ta:induction:2026-09-02", recorded_by="dsl")


def when(given: list[Event], *cmds: RecordTraining) -> list[Event]:
    return list(training.decide(Recording(cmds, "dsl", TODAY), training.fold(given)))


def test_training_is_recorded_once_however_often_it_is_sent() -> None:
    assert when([], INDUCTION) == [INDUCTED]
    assert when([INDUCTED], INDUCTION) == []
    assert when([], INDUCTION, INDUCTION) == [INDUCTED]


def test_training_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        when([], INDUCTION.model_copy(update={"completed_on": TODAY + timedelta(days=1)}))
    assert refused.value.field == "completed_on"


def test_who_is_overdue() -> None:
    never = standing([], TODAY)
    assert (never.overdue, never.reason, never.due_on) == (True, "no induction recorded", None)
    fresh = standing([(TrainingKind.INDUCTION, date(2026, 9, 2))], TODAY)
    assert (fresh.overdue, fresh.due_on) == (False, date(2027, 9, 2))
    lapsed = standing([(TrainingKind.INDUCTION, date(2024, 9, 2)),
                       (TrainingKind.REFRESHER, date(2025, 9, 1))], TODAY)
    assert (lapsed.overdue, lapsed.due_on, lapsed.last_refresher) == (
        True, date(2026, 9, 1), date(2025, 9, 1))
    refreshed_only = standing([(TrainingKind.REFRESHER, date(2026, 9, 1))], TODAY)
    assert refreshed_only.reason == "no induction recorded"


STAFF = [Member("oakridge-ta", "Priya Shah", "p.shah@oakridge.example"),
         Member("oakridge-y3", "Tom Reed", None)]


def test_csv_rows_become_commands_or_precise_rejections() -> None:
    rows = parse_csv("\ufeffEmail,Kind,Completed_on,Provider\n"
                     "P.Shah@oakridge.example,refresher,05/09/2026,LA twilight session\n"
                     "nobody@x.example,induction,2026-09-01,LA\n"
                     ",refresher,2026-09-01,LA\n"
                     "p.shah@oakridge.example,annual,2026-09-01,LA\n")
    made = [command_of(S, i, r, STAFF) for i, r in enumerate(rows)]
    first = made[0]
    assert isinstance(first, RecordTraining)
    assert (first.person_id, first.completed_on) == ("oakridge-ta", date(2026, 9, 5))
    assert [getattr(m, "field", None) for m in made[1:]] == ["email", "person_id", "kind"]
    with pytest.raises(InvalidInput):
        parse_csv("name,date\nx,y\n")


SUMMARY: dict[str, Any] = {
    "product": "Netsweeper", "product_summary_id": "ns-2026-11-22",
    "period_start": "2026-11-22T00:00:00Z", "period_end": "2026-11-23T00:00:00Z",
    "categories": [{"category": "Pornography", "blocked": 14, "allowed": 0},
                   {"category": "Social Networking", "blocked": 3, "allowed": 120}],
    "users": [{"username": "GLEN\\j.smith", "category": "Pornography", "blocked": 9,
               "allowed": 0}]}


def test_a_summary_is_received_once() -> None:
    event = received(S, validated(SummaryIn, SUMMARY), NOW)
    assert event.summary_id == "oakridge:netsweeper:ns-2026-11-22"
    # Pupils' usernames stay out of the immutable event (kept beside it, erasable).
    assert event.users_held == 1 and "j.smith" not in event.model_dump_json()
    assert summary.decide(event, summary.fold([])) == [event]
    assert summary.decide(event, summary.fold([event])) == []


@pytest.mark.parametrize(("change", "field"), [
    ({"period_end": "2026-11-21T00:00:00Z"}, None),
    ({"categories": []}, "categories"),
    ({"categories": [{"category": "x", "blocked": -1, "allowed": 0}]}, "categories.0.blocked"),
    ({"period_start": "2026-11-22T00:00:00"}, None),
    ({"surprise": 1}, "surprise"),
])
def test_bad_summaries_say_why(change: dict[str, Any], field: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        validated(SummaryIn, {**SUMMARY, **change})
    assert refused.value.field == field


def test_a_summary_from_the_future_is_refused() -> None:
    ahead = validated(SummaryIn, {**SUMMARY, "period_end": "2026-11-24T00:00:00Z"})
    with pytest.raises(InvalidInput) as refused:
        received(S, ahead, NOW)
    assert refused.value.field == "period_end"


HEAD = Recipient(person_id="oakridge-head", name="Helen Whitmore", role="headteacher",
                 email="head@oakridge.example")


def test_a_reminder_is_sent_once_per_due_date() -> None:
    due = Due(ReminderSubject.POLICY_REVIEW, S, "E-Safety Policy", TODAY + timedelta(days=10))
    later = Due(ReminderSubject.POLICY_REVIEW, S, "E-Safety Policy", TODAY + timedelta(days=90))
    assert due_items(TODAY, WINDOW, [due, later]) == [due]
    event = due.reminded(S, TODAY, [HEAD])
    assert (event.overdue, event.reminder_id) == (False, f"{S}:policy_review:{S}:2026-12-03")
    assert reminder.decide(event, reminder.fold([])) == [event]
    assert reminder.decide(event, reminder.fold([event])) == []
    never = Due(ReminderSubject.TRAINING, "oakridge-ta", "Priya Shah", None).reminded(
        S, TODAY, [HEAD])
    assert isinstance(never, ReminderSent) and never.overdue
    assert never.reminder_id.endswith(":never")
