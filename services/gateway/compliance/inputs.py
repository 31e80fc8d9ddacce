"""Compliance inputs. Field names match the service's commands, so they go over as they are."""

from __future__ import annotations

from datetime import date

import strawberry

from services.gateway.compliance.enums import CheckResult, Responsibility


@strawberry.input
class AssignResponsibilityInput:
    school_id: str
    responsibility: Responsibility
    holder: str = strawberry.field(description="a name, or the IT provider's company")
    person_id: str | None = None


@strawberry.input
class RecordProvisionReviewInput:
    school_id: str
    reviewed_on: date
    findings: str
    participants: list[str] = strawberry.field(default_factory=list)
    actions: str = "none"
    next_due: date | None = strawberry.field(default=None,
                                             description="a year on when left out")


@strawberry.input
class RecordProvisionCheckInput:
    school_id: str
    checked_on: date
    what_tested: str
    result: CheckResult
    actions: str = "none"


@strawberry.input
class NamedRoleInput:
    role: str = strawberry.field(description="e.g. e-safety co-ordinator")
    holder: str


@strawberry.input
class PublishPolicyVersionInput:
    school_id: str
    title: str
    effective_from: date
    next_review: date
    named_roles: list[NamedRoleInput] = strawberry.field(default_factory=list)
    document_url: str | None = None
