"""Compliance events: the DfE filtering and monitoring standards and the e-safety policy
document, per school. Type names are stable: they are stored forever."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.events import Event
from shared.mail import Recipient
from shared.registry import registry


class Responsibility(StrEnum):
    """The roles the DfE filtering and monitoring standards ask a school to name."""

    SENIOR_LEADER = "senior_leader"  # the senior leadership team member responsible
    GOVERNOR = "governor"  # the governor who oversees the provision
    DSL = "dsl"
    IT_PROVIDER = "it_provider"  # the IT service provider (often a company, not a person)


class CheckResult(StrEnum):
    PASSED = "passed"
    PARTLY = "partly"  # some of what was tested worked
    FAILED = "failed"


@registry.register
class ResponsibilityAssigned(Event):
    type_name = "ResponsibilityAssigned"
    school_id: str
    responsibility: Responsibility
    holder: str  # a name as the school writes it
    person_id: str | None = None  # when the holder is in the directory
    assigned_by: str


@registry.register
class ProvisionReviewed(Event):
    """The annual review of the school's filtering and monitoring provision."""

    type_name = "ProvisionReviewed"
    school_id: str
    reviewed_on: date
    reviewed_by: str
    participants: list[str]
    findings: str
    actions: str
    next_due: date


@registry.register
class ProvisionChecked(Event):
    """One entry of the log of checks: what was tested, the result, the actions."""

    type_name = "ProvisionChecked"
    school_id: str
    check_id: str
    checked_on: date
    checked_by: str
    what_tested: str
    result: CheckResult
    actions: str


@registry.register
class PolicyVersionPublished(Event):
    """A version of the school's e-safety policy document, with its named roles."""

    type_name = "PolicyVersionPublished"
    school_id: str
    version: int
    title: str
    effective_from: date
    next_review: date
    named_roles: dict[str, str]  # e.g. "e-safety co-ordinator" -> "Emma Perkin"
    document_url: str | None = None
    published_by: str


class TrainingKind(StrEnum):
    INDUCTION = "induction"  # safeguarding and online safety, on joining
    REFRESHER = "refresher"  # the annual update


@registry.register
class TrainingRecorded(Event):
    """A member of staff completed safeguarding/online-safety training."""

    type_name = "TrainingRecorded"
    school_id: str
    record_id: str  # person, kind and day: the same training recorded twice is one record
    person_id: str
    kind: TrainingKind
    completed_on: date
    provider: str
    evidence: str | None = None  # e.g. "certificate on file", "signed register"
    recorded_by: str


class Counts(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: str  # the product's category, as it names it
    blocked: int
    allowed: int


@registry.register
class FilteringSummaryReceived(Event):
    """A filtering product's summary of one school's requests over a period. Its per-user
    counts (pupils' usernames) are kept beside it, in a table retention can purge."""

    type_name = "FilteringSummaryReceived"
    school_id: str
    summary_id: str  # ours: the school, the product and its summary id
    product: str
    product_summary_id: str
    period_start: datetime
    period_end: datetime
    categories: list[Counts]
    users_held: int = 0  # how many per-user counts were kept beside it


class ReminderSubject(StrEnum):
    POLICY_REVIEW = "policy_review"  # the e-safety policy document's review date
    PROVISION_REVIEW = "provision_review"  # the annual filtering and monitoring review
    TRAINING = "training"  # a member of staff's refresher (or missing induction)


@registry.register
class ReminderSent(Event):
    """Something is due within the reminder window, or overdue: told once per due date."""

    type_name = "ReminderSent"
    school_id: str
    reminder_id: str
    subject: ReminderSubject
    about: str  # what is due: the policy's title, a member of staff's name ...
    due_on: date | None  # None: never done (a review never recorded, no induction)
    overdue: bool
    recipients: list[Recipient]


class RecordType(StrEnum):
    SCREENSHOT = "screenshot"  # capture screenshots (the image)
    CAPTURE_TEXT = "capture_text"  # a capture's excerpt and trigger context
    CAPTURE_METADATA = "capture_metadata"  # a moderated capture's grade, notes, times
    INCIDENT_TEXT = "incident_text"  # an incident's description and notes (not child protection)


CHILD_PROTECTION_AGE = 25  # years: child-protection records are kept until the child is 25
MAX_MONTHS = 12 * 100


@registry.register
class RetentionPolicySet(Event):
    """The LA's retention periods (in months from the record's date) and which record types
    its schools may set for themselves."""

    type_name = "RetentionPolicySet"
    la_id: str
    months: dict[RecordType, int]
    school_may_set: list[RecordType]
    by: str


@registry.register
class RetentionOverrideSet(Event):
    """A school's own period for one record type (`months` None: back to the LA's)."""

    type_name = "RetentionOverrideSet"
    la_id: str
    school_id: str
    record_type: RecordType
    months: int | None
    by: str
