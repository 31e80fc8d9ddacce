"""The alert decider: given events, when a command, then events (or an error)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.capture.domain.alert import (
    DEFAULT_DEADLINE_MINUTES,
    Acknowledge,
    AlertCommand,
    EscalateIfOverdue,
    Raise,
    SetDeadline,
    alert,
    alert_id_of,
    alert_policy,
)
from services.capture.domain.events import (
    AlertAcknowledged,
    AlertDeadlineSet,
    AlertEscalated,
    AlertRaised,
    Category,
    Grade,
    Recipient,
)
from shared.errors import InvalidInput, NotFound
from shared.events import Event

SCHOOL, OTHER, LA = "oakridge", "glenfield", "la-northshire"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DUE = T0 + timedelta(minutes=DEFAULT_DEADLINE_MINUTES)
AID = alert_id_of("c" * 32, Grade.URGENT_CHILD_PROTECTION)
DSL = Recipient(person_id="a-dsl", name="Dana Sloane", role="dsl")
HEAD = Recipient(person_id="a-head", name="Hal Edwards", role="headteacher")


def raised(urgent: bool = True) -> AlertRaised:
    grade = Grade.URGENT_CHILD_PROTECTION if urgent else Grade.CONCERN
    return AlertRaised(alert_id=AID, capture_id="c" * 32, school_id=SCHOOL, la_id=LA,
                       grade=grade, category=Category.SELF_HARM, severity=5, urgent=urgent,
                       content_ref="ref-grade", roles=["dsl", "deputy_dsl", "ict_lead"],
                       recipients=[DSL], acknowledge_by=DUE if urgent else None)


ACKED = AlertAcknowledged(alert_id=AID, by="a-dsl", by_name="Dana Sloane",
                          content_ref="ref-ack", at=T0 + timedelta(minutes=3))
ESCALATED = AlertEscalated(alert_id=AID, roles=["headteacher", "la"], recipients=[HEAD],
                           overdue_since=DUE, at=DUE + timedelta(minutes=1))


def ack(school: str = SCHOOL, by: str = "a-dsl") -> Acknowledge:
    # The handler kept the note under "ref-ack": the event carries only that.
    return Acknowledge(school, by, "Dana Sloane", " on it ", T0 + timedelta(minutes=3),
                       "ref-ack")


def overdue_check(minutes: int) -> EscalateIfOverdue:
    return EscalateIfOverdue(SCHOOL, T0 + timedelta(minutes=minutes), (HEAD,))


def when(given: list[Event], command: AlertCommand) -> list[Event]:
    return list(alert.decide(command, alert.fold(given)))


class TestRaise:
    def test_raises_once(self) -> None:
        assert when([], Raise(raised())) == [raised()]
        assert when([raised()], Raise(raised())) == []

    def test_one_alert_per_capture_and_grade(self) -> None:
        assert alert_id_of("c" * 32, Grade.CONCERN) != AID
        assert alert_id_of("c" * 32, Grade.URGENT_CHILD_PROTECTION) == AID


class TestAcknowledge:
    def test_a_named_person_acknowledges_with_a_note(self) -> None:
        assert when([raised()], ack()) == [ACKED]

    def test_only_once(self) -> None:
        with pytest.raises(InvalidInput, match="already acknowledged by a-dsl at 09:03"):
            when([raised(), ACKED], ack(by="a-deputy"))

    def test_after_escalation_still_allowed(self) -> None:
        assert when([raised(), ESCALATED], ack()) == [ACKED]

    @pytest.mark.parametrize("given,school", [([], SCHOOL), ([raised()], OTHER)])
    def test_unknown_or_another_schools_alert_is_not_found(self, given: list[Event],
                                                           school: str) -> None:
        with pytest.raises(NotFound):
            when(given, ack(school=school))


class TestOverdueEscalation:
    @pytest.mark.parametrize("minutes,expected", [
        (14, []),
        (15, [AlertEscalated(alert_id=AID, roles=["headteacher", "la"], recipients=[HEAD],
                             overdue_since=DUE, at=DUE)]),
        (16, [AlertEscalated(alert_id=AID, roles=["headteacher", "la"], recipients=[HEAD],
                             overdue_since=DUE, at=T0 + timedelta(minutes=16))]),
    ])
    def test_an_urgent_alert_escalates_at_its_deadline(self, minutes: int,
                                                       expected: list[Event]) -> None:
        assert when([raised()], overdue_check(minutes)) == expected

    def test_acknowledged_alerts_never_escalate(self) -> None:
        assert when([raised(), ACKED], overdue_check(60 * 24)) == []

    def test_escalates_only_once(self) -> None:
        assert when([raised(), ESCALATED], overdue_check(60)) == []

    def test_lower_severities_do_not_escalate(self) -> None:
        assert when([raised(urgent=False)], overdue_check(60 * 24)) == []


class TestDeadline:
    def test_default_then_set_per_school(self) -> None:
        assert alert_policy.fold([]) == DEFAULT_DEADLINE_MINUTES
        set10 = AlertDeadlineSet(school_id=SCHOOL, minutes=10, by="a-head")
        assert alert_policy.decide(SetDeadline(SCHOOL, 10, "a-head"), 15) == [set10]
        assert alert_policy.fold([set10]) == 10
        assert alert_policy.decide(SetDeadline(SCHOOL, 10, "a-head"), 10) == []

    @pytest.mark.parametrize("minutes", [0, 24 * 60 + 1])
    def test_out_of_range(self, minutes: int) -> None:
        with pytest.raises(InvalidInput):
            alert_policy.decide(SetDeadline(SCHOOL, minutes, "a-head"), 15)
