"""What the gateway (or another service) may ask the compliance service, and its answers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from services.compliance.domain.events import CheckResult, Responsibility
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
