"""The headteacher's weekly review: one stream per school, a review at a time. Each covers the
captures moderated since the one before; a school whose last review is more than a week old
is overdue (the LA sees which)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.capture.domain.events import WeeklyReviewRecorded
from shared.decider import Decider
from shared.errors import InvalidInput
from shared.events import Event

PERIOD = timedelta(days=7)
MIN_FINDINGS = 5


@dataclass(frozen=True)
class RecordReview:
    school_id: str
    la_id: str
    by: str
    by_name: str
    at: datetime
    findings: str
    captures_seen: tuple[str, ...]
    unknown: tuple[str, ...] = ()  # captures seen that are not the school's moderated ones


@dataclass(frozen=True)
class Reviews:
    last_at: datetime | None = None

    def since(self, at: datetime) -> datetime:
        """Where the next review starts: the last one, or a week back for the first."""
        return self.last_at if self.last_at is not None else at - PERIOD


def decide(command: RecordReview, state: Reviews) -> list[Event]:
    if len(command.findings.strip()) < MIN_FINDINGS:
        raise InvalidInput("record what the review found (a few words at least)",
                           field="findings")
    if command.unknown:
        raise InvalidInput(f"not a moderated capture of this school: {command.unknown[0]}",
                           field="captures_seen")
    if state.last_at is not None and command.at <= state.last_at:
        raise InvalidInput("a review is already recorded at or after this time", field="at")
    return [WeeklyReviewRecorded(
        school_id=command.school_id, la_id=command.la_id, by=command.by, by_name=command.by_name,
        at=command.at, period_from=state.since(command.at), findings=command.findings.strip(),
        captures_seen=sorted(set(command.captures_seen)))]


def evolve(state: Reviews, event: Event) -> Reviews:
    return Reviews(event.at) if isinstance(event, WeeklyReviewRecorded) else state


review = Decider[RecordReview, Reviews]("weekly-review", Reviews(), decide, evolve)
