"""The capture decider: receipt (idempotent), claim, release, grade, regrade.

A claim is what keeps two moderators off the same capture: it is an event on the capture's
own stream, so of two moderators claiming at once the event store lets exactly one append
(optimistic concurrency); the other re-decides and finds the capture claimed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import assert_never

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
)
from shared.decider import Decider
from shared.errors import DomainError, InvalidInput, NotFound
from shared.events import Event

# Grades the school hears about: these need the moderator's notes.
ESCALATED = frozenset({Grade.CONCERN, Grade.VIOLATION, Grade.URGENT_CHILD_PROTECTION})
RANK = {g: i for i, g in enumerate(Grade)}  # declared from least to most serious


class AlreadyClaimed(DomainError):
    code = "conflict"


def capture_id_of(school_id: str, product: str, product_capture_id: str) -> str:
    """The same capture re-sent by its product maps to the same aggregate."""
    key = "\x1f".join((school_id, product.strip().lower(), product_capture_id.strip()))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Receive:
    received: CaptureReceived
    triaged: CaptureTriaged


@dataclass(frozen=True)
class Claim:
    school_id: str
    la_id: str
    moderator: str
    at: datetime
    minutes: int


@dataclass(frozen=True)
class Release:
    school_id: str
    la_id: str
    moderator: str
    at: datetime


@dataclass(frozen=True)
class Moderate:
    school_id: str
    la_id: str
    moderator: str
    grade: Grade
    notes: str
    at: datetime
    bulk: bool = False


@dataclass(frozen=True)
class Regrade:
    school_id: str
    la_id: str
    moderator: str
    grade: Grade
    reason: str
    notes: str
    at: datetime


CaptureCommand = Receive | Claim | Release | Moderate | Regrade


@dataclass(frozen=True)
class Capture:
    exists: bool = False
    capture_id: str = ""
    school_id: str = ""
    la_id: str = ""
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    grade: Grade | None = None
    screenshot_sha256: str | None = None
    category: Category = Category.UNCLASSIFIED
    severity: int = 1

    def holder(self, at: datetime) -> str | None:
        """Who holds an unexpired claim at `at`."""
        if self.claimed_by and self.claimed_until and self.claimed_until > at:
            return self.claimed_by
        return None


def decide(command: CaptureCommand, state: Capture) -> list[Event]:
    if isinstance(command, Receive):
        return [] if state.exists else [command.received, command.triaged]
    # Another school's capture is "not found": never confirm another tenant's ids.
    if not state.exists or (state.school_id, state.la_id) != (command.school_id, command.la_id):
        raise NotFound("no such capture at this school", field="capture_id")
    match command:
        case Claim(moderator=who, at=at, minutes=minutes):
            _not_graded(state)
            _not_held_by_other(state, who, at)
            return [CaptureClaimed(capture_id=state.capture_id, moderator=who,
                                   until=at + timedelta(minutes=minutes))]
        case Release(moderator=who, at=at):
            return [CaptureReleased(capture_id=state.capture_id, moderator=who)] \
                if state.holder(at) == who else []
        case Moderate():
            return _moderate(command, state)
        case Regrade():
            return _regrade(command, state)
        case _:
            assert_never(command)


def _moderate(cmd: Moderate, state: Capture) -> list[Event]:
    _not_graded(state)
    _not_held_by_other(state, cmd.moderator, cmd.at)
    if cmd.bulk and cmd.grade is not Grade.FALSE_POSITIVE:
        raise InvalidInput("only false positives are graded in bulk", field="grade")
    if not cmd.bulk and state.holder(cmd.at) != cmd.moderator:
        raise InvalidInput("claim the capture before grading it (or your claim expired)",
                           field="capture_id")
    _notes_for(cmd.grade, cmd.notes)
    moderated = CaptureModerated(capture_id=state.capture_id, grade=cmd.grade,
                                 notes=cmd.notes.strip(), moderator=cmd.moderator, bulk=cmd.bulk)
    return [moderated, *_escalation(state, cmd.grade, None, cmd.notes)]


def _regrade(cmd: Regrade, state: Capture) -> list[Event]:
    if state.grade is None:
        raise InvalidInput("the capture is not graded yet: grade it first", field="capture_id")
    if not cmd.reason.strip():
        raise InvalidInput("a regrade needs a reason", field="reason")
    if cmd.grade is state.grade:
        raise InvalidInput(f"the capture is already graded {cmd.grade.value}", field="grade")
    _not_held_by_other(state, cmd.moderator, cmd.at)
    _notes_for(cmd.grade, cmd.notes or cmd.reason)
    regraded = CaptureRegraded(capture_id=state.capture_id, grade=cmd.grade,
                               previous=state.grade, reason=cmd.reason.strip(),
                               notes=cmd.notes.strip(), moderator=cmd.moderator)
    return [regraded, *_escalation(state, cmd.grade, state.grade, cmd.notes or cmd.reason)]


def _escalation(state: Capture, grade: Grade, previous: Grade | None,
                notes: str) -> list[Event]:
    """The school hears of a concern once, and again only when it becomes more serious."""
    if grade not in ESCALATED or (previous is not None and RANK[grade] <= RANK[previous]):
        return []
    return [ConcernEscalated(capture_id=state.capture_id, grade=grade, category=state.category,
                             severity=state.severity,
                             urgent=grade is Grade.URGENT_CHILD_PROTECTION,
                             notes=notes.strip())]


def _not_graded(state: Capture) -> None:
    if state.grade is not None:
        raise InvalidInput(f"the capture is already graded {state.grade.value}: regrade it",
                           field="capture_id")


def _not_held_by_other(state: Capture, who: str, at: datetime) -> None:
    holder = state.holder(at)
    if holder is not None and holder != who:
        raise AlreadyClaimed(f"another moderator holds this capture until "
                             f"{state.claimed_until:%H:%M} UTC", field="capture_id")


def _notes_for(grade: Grade, notes: str) -> None:
    if grade in ESCALATED and not notes.strip():
        raise InvalidInput(f"a {grade.value} grade needs notes for the school", field="notes")


def evolve(state: Capture, event: Event) -> Capture:
    match event:
        case CaptureReceived(capture_id=cid, school_id=school_id, la_id=la_id,
                             screenshot_sha256=sha):
            return Capture(exists=True, capture_id=cid, school_id=school_id, la_id=la_id,
                           screenshot_sha256=sha)
        case CaptureTriaged(category=category, severity=severity):
            return replace(state, category=category, severity=severity)
        case CaptureClaimed(moderator=who, until=until):
            return replace(state, claimed_by=who, claimed_until=until)
        case CaptureReleased():
            return replace(state, claimed_by=None, claimed_until=None)
        case CaptureModerated(grade=grade) | CaptureRegraded(grade=grade):
            return replace(state, grade=grade, claimed_by=None, claimed_until=None)
        case _:
            return state


capture = Decider[CaptureCommand, Capture]("capture", Capture(), decide, evolve)
