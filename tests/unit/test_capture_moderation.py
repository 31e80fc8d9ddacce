"""The capture decider: given events, when a command, then events (or an error)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.capture.domain.capture import (
    AlreadyClaimed,
    CaptureCommand,
    Claim,
    Moderate,
    Receive,
    Regrade,
    Release,
    capture,
    capture_id_of,
)
from services.capture.domain.events import (
    CaptureClaimed,
    CaptureModerated,
    CaptureReceived,
    CaptureRegraded,
    CaptureReleased,
    CaptureTriaged,
    Category,
    ConcernEscalated,
    Grade,
    Priority,
)
from shared.errors import InvalidInput, NotFound
from shared.events import Event

SCHOOL, LA = "oakridge", "la-northshire"
CID = capture_id_of(SCHOOL, "SafeWatch", "sw-1")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RECEIVED = CaptureReceived(capture_id=CID, school_id=SCHOOL, la_id=LA, product="SafeWatch",
                           product_capture_id="sw-1", captured_at=T0, machine="PC-01",
                           username="pupil1")
TRIAGED = CaptureTriaged(capture_id=CID, category=Category.SUICIDE, severity=5,
                         priority=Priority.URGENT)
NEW: list[Event] = [RECEIVED, TRIAGED]


def when(given: list[Event], command: CaptureCommand) -> list[Event]:
    return list(capture.decide(command, capture.fold(given)))


def claim(who: str, at: datetime = T0) -> Claim:
    return Claim(SCHOOL, LA, who, at, 15)


def grade(who: str, g: Grade, notes: str = "", at: datetime = T0, bulk: bool = False,
          ref: str | None = None) -> Moderate:
    return Moderate(SCHOOL, LA, who, g, notes, at, bulk, ref)


def claimed(who: str, at: datetime = T0) -> CaptureClaimed:
    return CaptureClaimed(capture_id=CID, moderator=who, until=at + timedelta(minutes=15))


class TestReceive:
    def test_a_new_capture_is_received_and_triaged(self) -> None:
        assert when([], Receive(RECEIVED, TRIAGED)) == [RECEIVED, TRIAGED]

    def test_re_sending_yields_nothing_new(self) -> None:
        assert when(NEW, Receive(RECEIVED, TRIAGED)) == []

    def test_the_id_is_stable_per_school_product_and_product_id(self) -> None:
        assert capture_id_of(SCHOOL, "SafeWatch", "sw-1") == capture_id_of(SCHOOL, "safewatch ",
                                                                           " sw-1")
        assert capture_id_of("glenfield", "SafeWatch", "sw-1") != CID
        assert capture_id_of(SCHOOL, "Other", "sw-1") != CID


class TestClaim:
    def test_a_free_capture_is_claimed_for_a_while(self) -> None:
        assert when(NEW, claim("m1")) == [claimed("m1")]

    def test_a_claim_held_by_another_is_refused(self) -> None:
        with pytest.raises(AlreadyClaimed) as err:
            when([*NEW, claimed("m1")], claim("m2", T0 + timedelta(minutes=5)))
        assert err.value.code == "conflict"

    def test_an_expired_claim_can_be_taken(self) -> None:
        later = T0 + timedelta(minutes=16)
        assert when([*NEW, claimed("m1")], claim("m2", later)) == [claimed("m2", later)]

    def test_the_race_one_wins_the_loser_re_decides_and_is_refused(self) -> None:
        # Both decided on the same version; the store let m1 append, so m2 re-decides.
        state = capture.fold(NEW)
        assert capture.decide(claim("m1"), state) == [claimed("m1")]
        assert capture.decide(claim("m2"), state) == [claimed("m2")]
        with pytest.raises(AlreadyClaimed):
            when([*NEW, claimed("m1")], claim("m2"))

    def test_releasing_frees_it(self) -> None:
        released = CaptureReleased(capture_id=CID, moderator="m1")
        assert when([*NEW, claimed("m1")], Release(SCHOOL, LA, "m1", T0)) == [released]
        assert when([*NEW, claimed("m1"), released], claim("m2")) == [claimed("m2")]
        assert when([*NEW, claimed("m1")], Release(SCHOOL, LA, "m2", T0)) == []

    @pytest.mark.parametrize(("school", "la"), [("glenfield", LA), (SCHOOL, "la-other")])
    def test_another_tenants_capture_is_not_found(self, school: str, la: str) -> None:
        with pytest.raises(NotFound):
            when(NEW, Claim(school, la, "m1", T0, 15))


class TestGrade:
    def test_the_claim_holder_grades(self) -> None:
        # The notes are kept by the handler under a ref: the events carry only that.
        then = [CaptureModerated(capture_id=CID, grade=Grade.CONCERN, content_ref="ref-n",
                                 moderator="m1"),
                ConcernEscalated(capture_id=CID, grade=Grade.CONCERN, category=Category.SUICIDE,
                                 severity=5, urgent=False, content_ref="ref-n")]
        assert when([*NEW, claimed("m1")],
                    grade("m1", Grade.CONCERN, "talk to DSL", ref="ref-n")) == then
        assert "talk to DSL" not in str(then)

    def test_lower_grades_are_not_escalated(self) -> None:
        then = when([*NEW, claimed("m1")], grade("m1", Grade.NO_FURTHER_ACTION))
        assert [type(e) for e in then] == [CaptureModerated]

    def test_grading_needs_a_live_claim(self) -> None:
        with pytest.raises(InvalidInput):
            when(NEW, grade("m1", Grade.NO_FURTHER_ACTION))
        with pytest.raises(InvalidInput):
            when([*NEW, claimed("m1")], grade("m1", Grade.NO_FURTHER_ACTION,
                                              at=T0 + timedelta(minutes=20)))

    def test_another_moderators_claim_blocks_grading(self) -> None:
        with pytest.raises(AlreadyClaimed):
            when([*NEW, claimed("m1")], grade("m2", Grade.FALSE_POSITIVE, bulk=True))

    @pytest.mark.parametrize("g", [Grade.CONCERN, Grade.VIOLATION,
                                   Grade.URGENT_CHILD_PROTECTION])
    def test_escalated_grades_need_notes(self, g: Grade) -> None:
        with pytest.raises(InvalidInput) as err:
            when([*NEW, claimed("m1")], grade("m1", g, "  "))
        assert err.value.field == "notes"

    def test_bulk_grades_only_false_positives_and_needs_no_claim(self) -> None:
        then = [CaptureModerated(capture_id=CID, grade=Grade.FALSE_POSITIVE, moderator="m1",
                                 bulk=True)]
        assert when(NEW, grade("m1", Grade.FALSE_POSITIVE, bulk=True)) == then
        with pytest.raises(InvalidInput):
            when(NEW, grade("m1", Grade.NO_FURTHER_ACTION, bulk=True))

    def test_a_graded_capture_is_not_graded_or_claimed_again(self) -> None:
        graded = [*NEW, claimed("m1"), CaptureModerated(
            capture_id=CID, grade=Grade.FALSE_POSITIVE, moderator="m1")]
        with pytest.raises(InvalidInput):
            when(graded, claim("m2"))
        with pytest.raises(InvalidInput):
            when(graded, grade("m2", Grade.FALSE_POSITIVE, bulk=True))


class TestRegrade:
    GRADED: list[Event] = [*NEW, claimed("m1"), CaptureModerated(
        capture_id=CID, grade=Grade.NO_FURTHER_ACTION, moderator="m1")]

    def test_a_regrade_records_the_previous_grade_and_reason(self) -> None:
        cmd = Regrade(SCHOOL, LA, "m2", Grade.CONCERN, "pattern over a week", "", T0, "ref-r")
        assert when(self.GRADED, cmd) == [CaptureRegraded(
            capture_id=CID, grade=Grade.CONCERN, previous=Grade.NO_FURTHER_ACTION,
            content_ref="ref-r", moderator="m2"),
            ConcernEscalated(capture_id=CID, grade=Grade.CONCERN, category=Category.SUICIDE,
                             severity=5, urgent=False, content_ref="ref-r")]

    def test_the_school_hears_again_only_when_it_gets_more_serious(self) -> None:
        concern = [*NEW, claimed("m1"), CaptureModerated(
            capture_id=CID, grade=Grade.CONCERN, content_ref="ref-n", moderator="m1")]
        urgent = when(concern, Regrade(SCHOOL, LA, "m2", Grade.URGENT_CHILD_PROTECTION,
                                       "disclosure in chat", "", T0))
        assert isinstance(urgent[1], ConcernEscalated) and urgent[1].urgent
        down = when(concern, Regrade(SCHOOL, LA, "m2", Grade.FALSE_POSITIVE, "a game", "", T0))
        assert [type(e) for e in down] == [CaptureRegraded]

    def test_a_regrade_needs_a_reason(self) -> None:
        with pytest.raises(InvalidInput) as err:
            when(self.GRADED, Regrade(SCHOOL, LA, "m2", Grade.CONCERN, " ", "notes", T0))
        assert err.value.field == "reason"

    def test_only_graded_captures_are_regraded_and_to_another_grade(self) -> None:
        with pytest.raises(InvalidInput):
            when(NEW, Regrade(SCHOOL, LA, "m2", Grade.CONCERN, "reason", "n", T0))
        with pytest.raises(InvalidInput):
            when(self.GRADED, Regrade(SCHOOL, LA, "m2", Grade.NO_FURTHER_ACTION, "why", "", T0))
