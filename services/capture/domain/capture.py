"""The capture decider: receipt (idempotent), claim, release, grade, regrade.

A claim is what keeps two moderators off the same capture: it is an event on the capture's
own stream, so of two moderators claiming at once the event store lets exactly one append
(optimistic concurrency); the other re-decides and finds the capture claimed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import assert_never

from services.capture.domain.events import (
    TEXT_FIELDS,
    CaptureClaimed,
    CaptureContentPurged,
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
    """`content_ref`: where the handler kept the notes (None: it kept none)."""

    school_id: str
    la_id: str
    moderator: str
    grade: Grade
    notes: str
    at: datetime
    bulk: bool = False
    content_ref: str | None = None


@dataclass(frozen=True)
class Regrade:
    school_id: str
    la_id: str
    moderator: str
    grade: Grade
    reason: str
    notes: str
    at: datetime
    content_ref: str | None = None  # where the handler kept the reason and notes


@dataclass(frozen=True)
class Purge:
    """Retention: remove the capture's text, its screenshot, its moderation notes, or several
    (what is still held). `object_deleted`: the purger deleted the screenshot object (no
    other capture shares it). `filed_notes`: the refs of notes filed with the capture that
    its state does not see: its alerts' acknowledgement notes (alerts are streams of their
    own), and notes moved out of old events (shared/content_migrate.py)."""

    school_id: str
    la_id: str
    text: bool
    screenshot: bool
    on: date
    reason: str
    object_deleted: bool = False
    notes: bool = False
    filed_notes: tuple[str, ...] = ()


CaptureCommand = Receive | Claim | Release | Moderate | Regrade | Purge


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
    content_ref: str | None = None
    text_removed_on: date | None = None
    screenshot_removed_on: date | None = None
    note_refs: tuple[str, ...] = ()  # the grades' notes still kept
    notes_removed_on: date | None = None

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
        case Purge():
            return _purge(command, state)
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
                                 content_ref=cmd.content_ref, moderator=cmd.moderator,
                                 bulk=cmd.bulk)
    return [moderated, *_escalation(state, cmd.grade, None, cmd.content_ref)]


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
                               previous=state.grade, content_ref=cmd.content_ref,
                               moderator=cmd.moderator)
    return [regraded, *_escalation(state, cmd.grade, state.grade, cmd.content_ref)]


def _purge(cmd: Purge, state: Capture) -> list[Event]:
    """Only what is still held: a second purge of the same record adds nothing."""
    text = cmd.text and state.content_ref is not None and state.text_removed_on is None
    shot = cmd.screenshot and state.screenshot_sha256 is not None \
        and state.screenshot_removed_on is None
    notes = list(dict.fromkeys([*state.note_refs, *cmd.filed_notes])) if cmd.notes else []
    if not (text or shot or notes):
        return []
    return [CaptureContentPurged(
        capture_id=state.capture_id,
        refs=[*([state.content_ref] if text and state.content_ref else []), *notes],
        fields=[*(TEXT_FIELDS if text else ()), *(["screenshot"] if shot else []),
                *(["notes"] if notes else [])],
        removed_on=cmd.on, reason=cmd.reason,
        screenshot_sha256=state.screenshot_sha256 if shot else None,
        object_deleted=shot and cmd.object_deleted)]


def _escalation(state: Capture, grade: Grade, previous: Grade | None,
                ref: str | None) -> list[Event]:
    """The school hears of a concern once, and again only when it becomes more serious."""
    if grade not in ESCALATED or (previous is not None and RANK[grade] <= RANK[previous]):
        return []
    return [ConcernEscalated(capture_id=state.capture_id, grade=grade, category=state.category,
                             severity=state.severity,
                             urgent=grade is Grade.URGENT_CHILD_PROTECTION,
                             content_ref=ref)]


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
                             screenshot_sha256=sha, content_ref=ref):
            return Capture(exists=True, capture_id=cid, school_id=school_id, la_id=la_id,
                           screenshot_sha256=sha, content_ref=ref)
        case CaptureContentPurged(fields=fields, screenshot_sha256=sha, removed_on=on):
            text = "excerpt" in fields
            notes = "notes" in fields
            return replace(state, text_removed_on=on if text else state.text_removed_on,
                           screenshot_removed_on=on if sha else state.screenshot_removed_on,
                           note_refs=() if notes else state.note_refs,
                           notes_removed_on=on if notes else state.notes_removed_on)
        case CaptureTriaged(category=category, severity=severity):
            return replace(state, category=category, severity=severity)
        case CaptureClaimed(moderator=who, until=until):
            return replace(state, claimed_by=who, claimed_until=until)
        case CaptureReleased():
            return replace(state, claimed_by=None, claimed_until=None)
        case CaptureModerated(grade=grade, content_ref=ref) \
                | CaptureRegraded(grade=grade, content_ref=ref):
            return replace(state, grade=grade, claimed_by=None, claimed_until=None,
                           note_refs=(*state.note_refs, ref) if ref else state.note_refs)
        case _:
            return state


capture = Decider[CaptureCommand, Capture]("capture", Capture(), decide, evolve)
