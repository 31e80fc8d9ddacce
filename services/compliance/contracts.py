"""What the gateway (or another service) may ask the compliance service, and its answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.compliance.domain.events import (
    CheckResult,
    Counts,
    ReminderSubject,
    Responsibility,
    TrainingKind,
)
from services.directory.domain.commands import Slug
from shared.pages import Page, Paging

SERVICE = "compliance"


class Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    school_id: str = Slug


class GetStandards(Query):
    pass


class ListChecks(Query, Paging):
    pass


class ListReviews(Query):
    pass


class ListPolicyVersions(Query):
    pass


class LaStandards(BaseModel):
    """Every school of the caller's LA (LA roles only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class HolderView(BaseModel):
    responsibility: Responsibility
    holder: str
    person_id: str | None = None
    assigned_by: str
    assigned_at: datetime


class ReviewView(BaseModel):
    reviewed_on: date
    reviewed_by: str
    participants: list[str]
    findings: str
    actions: str
    next_due: date


class CheckView(BaseModel):
    check_id: str
    checked_on: date
    checked_by: str
    what_tested: str
    result: CheckResult
    actions: str


class CheckPage(Page[CheckView]):
    pass


class PolicyView(BaseModel):
    version: int
    title: str
    effective_from: date
    next_review: date
    named_roles: dict[str, str]
    document_url: str | None = None
    published_by: str
    published_at: datetime


class StandardsView(BaseModel):
    """Where a school stands against the standards today."""

    school_id: str
    holders: list[HolderView]
    missing: list[Responsibility]
    last_review: ReviewView | None = None
    review_overdue: bool
    last_check: CheckView | None = None
    policy: PolicyView | None = None
    policy_review_overdue: bool


class SchoolStanding(BaseModel):
    school_id: str
    name: str
    missing: list[Responsibility]
    review_due: date | None = None  # None: never reviewed, so overdue now
    review_overdue: bool
    last_check_on: date | None = None
    policy_review_due: date | None = None
    policy_review_overdue: bool
    staff: int = 0  # current staff, from the directory
    training_overdue: int = 0  # of them, with training overdue


# Staff training


class ListTraining(Query):
    """The school's training records, newest first (one person's when named)."""

    person_id: str | None = Field(default=None, max_length=64)


class TrainingStatusQuery(Query):
    overdue_only: bool = False


class LaTrainingOverdue(BaseModel):
    """Every school's staff with training overdue (LA roles only)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class TrainingView(BaseModel):
    record_id: str
    person_id: str
    name: str
    kind: TrainingKind
    completed_on: date
    provider: str
    evidence: str | None = None
    recorded_by: str
    recorded_at: datetime


class StaffTraining(BaseModel):
    school_id: str
    person_id: str
    name: str
    last_induction: date | None = None
    last_refresher: date | None = None
    due_on: date | None = None  # None: never trained, due now
    overdue: bool
    reason: str | None = None


class RowResult(BaseModel):
    """One row of an import or one item of a batch: what became of it."""

    index: int  # from 0, in the order sent (a CSV's first data row is 0)
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = None
    field: str | None = None
    ref: str | None = None  # the item's own id: a record id, a product's summary id


class BatchResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    results: list[RowResult]

    @classmethod
    def of(cls, results: list[RowResult]) -> BatchResult:
        ordered = sorted(results, key=lambda r: r.index)
        return cls(accepted=sum(r.status == "accepted" for r in ordered),
                   duplicates=sum(r.status == "duplicate" for r in ordered),
                   rejected=sum(r.status == "rejected" for r in ordered), results=ordered)


# Filtering-log summaries


class IngestFilteringSummaries(Query):
    """From the school's filtering product (an integrator key with filtering:write); each
    item is checked on its own (see domain/filtering.py's SummaryIn)."""

    summaries: list[Any] = Field(min_length=1, max_length=500)  # checked one by one


class UserCounts(Counts):
    """Per user: kept beside the event (erasable), never in it."""

    username: str  # the product's username (not resolved: a summary is about volumes)


class ListFilteringSummaries(Query, Paging):
    pass


class FilteringSummaryView(BaseModel):
    summary_id: str
    product: str
    product_summary_id: str
    period_start: datetime
    period_end: datetime
    blocked: int
    allowed: int
    categories: list[Counts]
    users: list[UserCounts]
    received_at: datetime


class FilteringSummaryPage(Page[FilteringSummaryView]):
    pass


# Reminders


class ListReminders(Query):
    pass


class SendReminders(BaseModel):
    """Send what is due now at the caller's LA's schools (LA admins)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class ReminderView(BaseModel):
    reminder_id: str
    subject: ReminderSubject
    about: str
    due_on: date | None = None
    overdue: bool
    recipients: list[str]  # names
    sent_at: datetime
