"""Capture events (facts, past tense). Type names are stable: they are stored forever."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.content import Erasure, inline_text
from shared.events import Envelope, Event
from shared.mail import Recipient as Recipient  # alerts and digests are addressed to them
from shared.registry import registry


class Category(StrEnum):
    BULLYING = "bullying"
    GROOMING_CSE = "grooming_cse"
    SEXUAL_CONTENT = "sexual_content"
    SELF_HARM = "self_harm"
    SUICIDE = "suicide"
    EXTREMISM = "extremism"
    DRUGS = "drugs"
    GAMBLING = "gambling"
    VIOLENCE = "violence"
    DISCRIMINATION = "discrimination"
    WEAPONS = "weapons"
    UNMODERATED_CHAT = "unmoderated_chat"
    GAMING = "gaming"
    UNCLASSIFIED = "unclassified"  # the product flagged it, no phrase of ours matched


class Grade(StrEnum):
    FALSE_POSITIVE = "false_positive"
    NO_FURTHER_ACTION = "no_further_action"
    CONCERN = "concern"
    VIOLATION = "violation"
    URGENT_CHILD_PROTECTION = "urgent_child_protection"


class Priority(StrEnum):
    URGENT = "urgent"  # severity 5
    HIGH = "high"  # 4
    NORMAL = "normal"  # 3
    LOW = "low"  # 1-2, or nothing matched


class Phrase(BaseModel):
    model_config = ConfigDict(frozen=True)

    phrase: str
    category: Category
    severity: int


class Match(BaseModel):
    model_config = ConfigDict(frozen=True)

    phrase: str
    category: Category
    severity: int
    source: str  # "la" or "school"


class _Received(Event):
    """What every version of CaptureReceived holds (not an event type of its own)."""

    capture_id: str
    school_id: str
    la_id: str
    product: str
    product_capture_id: str
    captured_at: datetime
    machine: str
    username: str
    product_category: str | None = None
    product_severity: int | None = None
    url: str | None = None
    screenshot_sha256: str | None = None
    screenshot_type: str | None = None
    screenshot_bytes: int | None = None


@registry.retire
class CaptureReceivedV1(_Received):
    """Version 1: the excerpt and trigger travelled inline (erasable text in an immutable
    event); loaded as v2 with no text."""

    type_name = "CaptureReceived"
    trigger: str
    excerpt: str = ""


@registry.register
class CaptureReceived(_Received):
    """A monitoring product's capture. The screenshot is only referenced (object store); so
    is its text (the excerpt and the trigger context): it is kept in the capture service's
    erasable content under `content_ref` (shared/content.py), so a retention purge can erase it
    and no other service or JetStream ever holds it."""

    type_name = "CaptureReceived"
    schema_version = 2
    content_ref: str | None = None  # None: no text was sent


TEXT_FIELDS = ("excerpt", "trigger")  # a capture's erasable text, by field


@registry.upcaster(CaptureReceived.type_name, 1)
def _capture_received_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """The text of a v1 event is not carried forward: a read model rebuilt from it shows none.
    The stored v1 events (and their JetStream copies) still hold it: see the README's
    "Retention and erasure" for what that means and what is left to do."""
    data = {k: v for k, v in payload.items() if k not in TEXT_FIELDS}
    return {**data, "content_ref": None}


@registry.register
class CaptureTriaged(Event):
    type_name = "CaptureTriaged"
    capture_id: str
    category: Category
    severity: int
    priority: Priority
    matches: list[Match] = []


@registry.register
class CaptureClaimed(Event):
    type_name = "CaptureClaimed"
    capture_id: str
    moderator: str
    until: datetime


@registry.register
class CaptureReleased(Event):
    type_name = "CaptureReleased"
    capture_id: str
    moderator: str


@registry.retire
class CaptureModeratedV1(Event):
    """Version 1: the moderator's notes travelled inline; loaded as v2 with none."""

    type_name = "CaptureModerated"
    capture_id: str
    grade: Grade
    notes: str
    moderator: str
    bulk: bool = False


@registry.register
class CaptureModerated(Event):
    """The moderator's notes are personal free text: kept in the capture service's erasable
    content under `content_ref` (field "notes"), erased with the capture's metadata."""

    type_name = "CaptureModerated"
    schema_version = 2
    capture_id: str
    grade: Grade
    content_ref: str | None = None  # None: no notes
    moderator: str
    bulk: bool = False


@registry.retire
class CaptureRegradedV1(Event):
    """Version 1: the reason and notes travelled inline; loaded as v2 with none."""

    type_name = "CaptureRegraded"
    capture_id: str
    grade: Grade
    previous: Grade
    reason: str
    notes: str
    moderator: str


@registry.register
class CaptureRegraded(Event):
    """The reason and notes are kept under `content_ref` (fields "reason", "notes")."""

    type_name = "CaptureRegraded"
    schema_version = 2
    capture_id: str
    grade: Grade
    previous: Grade
    content_ref: str | None = None
    moderator: str


@registry.retire
class ConcernEscalatedV1(Event):
    """Version 1: the notes for the school travelled inline; loaded as v2 with none."""

    type_name = "ConcernEscalated"
    capture_id: str
    grade: Grade
    category: Category
    severity: int
    urgent: bool
    notes: str


@registry.register
class ConcernEscalated(Event):
    """A capture graded concern or worse goes to the school's safeguarding leads; `urgent`
    ones at once (an alert is raised). The notes for the school are the grade's:
    `content_ref` is the grading event's (its "notes", or a regrade's "reason")."""

    type_name = "ConcernEscalated"
    schema_version = 2
    capture_id: str
    grade: Grade
    category: Category
    severity: int
    urgent: bool
    content_ref: str | None = None


NOTE_FIELDS = ("notes", "reason")  # a grade's erasable text, by field


def notes_of(kept: dict[str, str]) -> str:
    """The notes for the school from a grade's kept text: its notes, else its reason."""
    return kept.get("notes") or kept.get("reason") or ""


@registry.register
class ScreenshotViewed(Event):
    """Who looked at a capture's screenshot. No longer recorded: views are the kit's
    `RecordViewed` (kind screenshot, with the origin) now; kept to read those stored before."""

    type_name = "ScreenshotViewed"
    capture_id: str
    viewer: str
    viewer_name: str
    viewer_school: str
    roles: list[str]


@registry.register
class LibraryPhrasesAdded(Event):
    """LA-wide phrases added, or changed when the phrase was already there."""

    type_name = "LibraryPhrasesAdded"
    la_id: str
    phrases: list[Phrase]
    by: str


@registry.register
class LibraryPhraseRemoved(Event):
    type_name = "LibraryPhraseRemoved"
    la_id: str
    phrase: str
    by: str


@registry.register
class SchoolPhraseAdded(Event):
    type_name = "SchoolPhraseAdded"
    phrase: Phrase
    reason: str
    by: str


@registry.register
class SchoolPhraseExcluded(Event):
    """An LA phrase a school does not want matched for its pupils (the reason is audited)."""

    type_name = "SchoolPhraseExcluded"
    phrase: str
    reason: str
    by: str


class _Raised(Event):
    """What every version of AlertRaised holds (not an event type of its own)."""

    alert_id: str
    capture_id: str
    school_id: str
    la_id: str
    grade: Grade
    category: Category
    severity: int
    urgent: bool
    roles: list[str]
    recipients: list[Recipient]
    acknowledge_by: datetime | None = None


@registry.retire
class AlertRaisedV1(_Raised):
    """Version 1: the notes travelled inline; loaded as v2 with none."""

    type_name = "AlertRaised"
    notes: str


@registry.register
class AlertRaised(_Raised):
    """A school's safeguarding leads are told of an escalated capture. Urgent alerts must be
    acknowledged by `acknowledge_by`, or they escalate to the headteacher and the LA. The
    notes are the grade's, kept in the capture service under `content_ref` (never published:
    the gateway's live feed asks the service for them)."""

    type_name = "AlertRaised"
    schema_version = 2
    content_ref: str | None = None


@registry.retire
class AlertAcknowledgedV1(Event):
    """Version 1: the acknowledgement's note travelled inline; loaded as v2 with none."""

    type_name = "AlertAcknowledged"
    alert_id: str
    by: str
    by_name: str
    note: str
    at: datetime


@registry.register
class AlertAcknowledged(Event):
    """The note is kept under `content_ref` (field "note"), filed with the alert's capture:
    it is erased with the capture's metadata."""

    type_name = "AlertAcknowledged"
    schema_version = 2
    alert_id: str
    by: str
    by_name: str
    content_ref: str | None = None
    at: datetime


def _inline_out(*fields: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """v1 -> v2: the inline text is not carried forward (a rebuilt read model shows none)."""
    def upcast(payload: dict[str, Any]) -> dict[str, Any]:
        return {**{k: v for k, v in payload.items() if k not in fields}, "content_ref": None}

    return upcast


registry.upcaster(CaptureModerated.type_name, 1)(_inline_out("notes"))
registry.upcaster(CaptureRegraded.type_name, 1)(_inline_out("reason", "notes"))
registry.upcaster(ConcernEscalated.type_name, 1)(_inline_out("notes"))
registry.upcaster(AlertRaised.type_name, 1)(_inline_out("notes"))
registry.upcaster(AlertAcknowledged.type_name, 1)(_inline_out("note"))


def _raised_for(env: Envelope, before: Sequence[Envelope]) -> tuple[str, str]:
    """An alert's text is filed with its capture (erased with the capture's notes)."""
    raised = before[0].payload if before else env.payload
    return "capture", str(raised["capture_id"])


# What the stored v1 events held inline, for the one-off rewrite (shared/content_migrate.py).
inline_text(CaptureReceived.type_name, 1, {f: f for f in TEXT_FIELDS}, {"excerpt"})
for _name, _keys in ((CaptureModerated.type_name, ("notes",)),
                     (CaptureRegraded.type_name, ("reason", "notes")),
                     (ConcernEscalated.type_name, ("notes",))):
    inline_text(_name, 1, {k: k for k in _keys}, {"notes"})
inline_text(AlertRaised.type_name, 1, {"notes": "notes"}, {"notes"}, owner=_raised_for)
inline_text(AlertAcknowledged.type_name, 1, {"note": "note"}, {"notes"}, owner=_raised_for)


@registry.register
class AlertEscalated(Event):
    """An urgent alert nobody acknowledged in time: the headteacher and the LA are told."""

    type_name = "AlertEscalated"
    alert_id: str
    roles: list[str]
    recipients: list[Recipient]
    overdue_since: datetime
    at: datetime


@registry.register
class AlertDeadlineSet(Event):
    """How long a school has to acknowledge an urgent alert before it escalates."""

    type_name = "AlertDeadlineSet"
    school_id: str
    minutes: int
    by: str


@registry.register
class DigestSent(Event):
    """A school's daily digest of the captures the LA graded on `day` below urgent (urgent
    ones alerted at once), sent to its safeguarding contacts. One per school and day."""

    type_name = "DigestSent"
    school_id: str
    day: date
    counts: dict[str, int]  # grade -> captures graded that day
    concerns: list[str]  # capture ids graded concern or violation that day
    open_alerts: int  # alerts of the school still unacknowledged when it was sent
    recipients: list[Recipient]


@registry.register
class WeeklyReviewRecorded(Event):
    """The headteacher's weekly review of the school's moderated captures (Oakridge §2):
    who, when, what they found, and which captures they saw."""

    type_name = "WeeklyReviewRecorded"
    school_id: str
    la_id: str
    by: str
    by_name: str
    at: datetime
    period_from: datetime  # the previous review (or a week before, for the first)
    findings: str
    captures_seen: list[str]


@registry.register
class CaptureContentPurged(Erasure):
    """Retention removed a capture's text (its content refs), its screenshot, its moderation
    notes (the grades', the escalations' and the alerts' acknowledgement notes: field
    "notes"), or several. The screenshot object is deleted only when no other kept capture
    shares its hash (`object_deleted`); `screenshot_sha256` names the reference dropped."""

    type_name = "CaptureContentPurged"
    capture_id: str
    screenshot_sha256: str | None = None
    object_deleted: bool = False
