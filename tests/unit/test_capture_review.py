"""The headteacher's weekly review: given reviews, when one is recorded, then the event (or
the error)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.capture.domain.events import WeeklyReviewRecorded
from services.capture.domain.review import RecordReview, review
from shared.errors import InvalidInput

MON = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
C1, C2 = "1" * 32, "2" * 32


def record(at: datetime, findings: str = "two concerns followed up with the DSL",
           seen: tuple[str, ...] = (C2, C1, C2), unknown: tuple[str, ...] = ()) -> RecordReview:
    return RecordReview("oakridge", "la", "a-head", "Hal Edwards", at, findings, seen, unknown)


FIRST = WeeklyReviewRecorded(school_id="oakridge", la_id="la", by="a-head", by_name="Hal Edwards",
                             at=MON, period_from=MON - timedelta(days=7),
                             findings="two concerns followed up with the DSL",
                             captures_seen=[C1, C2])


class TestRecord:
    def test_the_first_review_covers_the_week_before(self) -> None:
        assert review.decide(record(MON), review.fold([])) == [FIRST]

    def test_the_next_covers_the_time_since_the_last(self) -> None:
        later = MON + timedelta(days=7)
        [event] = review.decide(record(later, seen=()), review.fold([FIRST]))
        assert isinstance(event, WeeklyReviewRecorded)
        assert (event.period_from, event.captures_seen) == (MON, [])

    @pytest.mark.parametrize(("command", "field"), [
        (record(MON + timedelta(days=1), findings="ok"), "findings"),
        (record(MON + timedelta(days=1), unknown=(C2,)), "captures_seen"),
        (record(MON), "at"),
    ])
    def test_errors(self, command: RecordReview, field: str) -> None:
        with pytest.raises(InvalidInput) as err:
            review.decide(command, review.fold([FIRST]))
        assert err.value.field == field
