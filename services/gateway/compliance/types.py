"""GraphQL types of the compliance service, built from its contract views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from services.compliance.contracts import (
    CheckView,
    HolderView,
    PolicyView,
    ReviewView,
    SchoolStanding,
    StandardsView,
)
from services.gateway.compliance.enums import CheckResult, Responsibility


@strawberry.type
class ResponsibilityHolder:
    responsibility: Responsibility
    holder: str
    person_id: str | None
    assigned_by: str
    assigned_at: datetime

    @classmethod
    def of(cls, view: HolderView) -> ResponsibilityHolder:
        return cls(**view.model_dump())


@strawberry.type(description="An annual review of the filtering and monitoring provision.")
class ProvisionReview:
    reviewed_on: date
    reviewed_by: str
    participants: list[str]
    findings: str
    actions: str
    next_due: date

    @classmethod
    def of(cls, data: Any) -> ProvisionReview:
        return cls(**ReviewView.model_validate(data).model_dump())


@strawberry.type(description="One entry of the log of checks.")
class ProvisionCheck:
    check_id: str
    checked_on: date
    checked_by: str
    what_tested: str
    result: CheckResult
    actions: str

    @classmethod
    def of(cls, data: Any) -> ProvisionCheck:
        return cls(**CheckView.model_validate(data).model_dump())


@strawberry.type
class ProvisionCheckPage:
    items: list[ProvisionCheck]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, data: Any) -> ProvisionCheckPage:
        return cls(items=[ProvisionCheck.of(c) for c in data["items"]], total=data["total"],
                   offset=data["offset"], limit=data["limit"])


@strawberry.type
class NamedRole:
    role: str
    holder: str


@strawberry.type(description="A version of the school's e-safety policy document.")
class PolicyVersion:
    version: int
    title: str
    effective_from: date
    next_review: date
    named_roles: list[NamedRole]
    document_url: str | None
    published_by: str
    published_at: datetime

    @classmethod
    def of(cls, data: Any) -> PolicyVersion:
        view = PolicyView.model_validate(data)
        return cls(**view.model_dump(exclude={"named_roles"}),
                   named_roles=[NamedRole(role=r, holder=h) for r, h in view.named_roles.items()])


@strawberry.type(description="Where a school stands against the DfE filtering and monitoring "
                             "standards today.")
class FilteringStandards:
    school_id: str
    holders: list[ResponsibilityHolder]
    missing: list[Responsibility]
    last_review: ProvisionReview | None
    review_overdue: bool
    last_check: ProvisionCheck | None
    policy: PolicyVersion | None
    policy_review_overdue: bool

    @classmethod
    def of(cls, data: Any) -> FilteringStandards:
        v = StandardsView.model_validate(data)
        return cls(school_id=v.school_id, holders=[ResponsibilityHolder.of(h) for h in v.holders],
                   missing=v.missing,
                   last_review=ProvisionReview(**v.last_review.model_dump())
                   if v.last_review else None,
                   review_overdue=v.review_overdue,
                   last_check=ProvisionCheck(**v.last_check.model_dump())
                   if v.last_check else None,
                   policy=PolicyVersion.of(v.policy.model_dump()) if v.policy else None,
                   policy_review_overdue=v.policy_review_overdue)


@strawberry.type
class SchoolStandingRow:
    school_id: str
    name: str
    missing: list[Responsibility]
    review_due: date | None = strawberry.field(description="none: never reviewed")
    review_overdue: bool
    last_check_on: date | None
    policy_review_due: date | None
    policy_review_overdue: bool
    staff: int = strawberry.field(description="current staff, from the directory")
    training_overdue: int = strawberry.field(description="staff whose training is overdue")

    @classmethod
    def of(cls, data: Any) -> SchoolStandingRow:
        return cls(**SchoolStanding.model_validate(data).model_dump())
