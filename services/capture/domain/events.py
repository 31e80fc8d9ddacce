"""Capture events (facts, past tense). Type names are stable: they are stored forever."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.events import Event
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


@registry.register
class CaptureReceived(Event):
    """A monitoring product's capture. The screenshot is only referenced (object store)."""

    type_name = "CaptureReceived"
    capture_id: str
    school_id: str
    la_id: str
    product: str
    product_capture_id: str
    captured_at: datetime
    machine: str
    username: str
    trigger: str
    product_category: str | None = None
    product_severity: int | None = None
    excerpt: str = ""
    url: str | None = None
    screenshot_sha256: str | None = None
    screenshot_type: str | None = None
    screenshot_bytes: int | None = None


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


@registry.register
class CaptureModerated(Event):
    type_name = "CaptureModerated"
    capture_id: str
    grade: Grade
    notes: str
    moderator: str
    bulk: bool = False


@registry.register
class CaptureRegraded(Event):
    type_name = "CaptureRegraded"
    capture_id: str
    grade: Grade
    previous: Grade
    reason: str
    notes: str
    moderator: str


@registry.register
class ConcernEscalated(Event):
    """A capture graded concern or worse goes to the school's safeguarding leads; `urgent`
    ones at once. Alert delivery and acknowledgement react to this (not built yet)."""

    type_name = "ConcernEscalated"
    capture_id: str
    grade: Grade
    category: Category
    severity: int
    urgent: bool
    notes: str


@registry.register
class ScreenshotViewed(Event):
    """Who looked at a capture's screenshot: the audit trail of a sensitive image."""

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


class Recipient(BaseModel):
    """A person an alert is addressed to, as the directory's events named them then."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    name: str
    role: str
    email: str | None = None


@registry.register
class AlertRaised(Event):
    """A school's safeguarding leads are told of an escalated capture. Urgent alerts must be
    acknowledged by `acknowledge_by`, or they escalate to the headteacher and the LA."""

    type_name = "AlertRaised"
    alert_id: str
    capture_id: str
    school_id: str
    la_id: str
    grade: Grade
    category: Category
    severity: int
    urgent: bool
    notes: str
    roles: list[str]
    recipients: list[Recipient]
    acknowledge_by: datetime | None = None


@registry.register
class AlertAcknowledged(Event):
    type_name = "AlertAcknowledged"
    alert_id: str
    by: str
    by_name: str
    note: str
    at: datetime


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
