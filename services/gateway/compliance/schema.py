"""Compliance queries and mutations: each resolver is one RPC to the compliance service."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import strawberry

from services.compliance.contracts import SERVICE
from services.gateway.compliance.duties import DutiesMutation, DutiesQuery
from services.gateway.compliance.inputs import (
    AssignResponsibilityInput,
    PublishPolicyVersionInput,
    RecordProvisionCheckInput,
    RecordProvisionReviewInput,
)
from services.gateway.compliance.types import (
    FilteringStandards,
    PolicyVersion,
    ProvisionCheckPage,
    ProvisionReview,
    SchoolStandingRow,
)
from services.gateway.context import Info, signed_in
from services.gateway.directory.inputs import body


@strawberry.type
class ComplianceQuery(DutiesQuery):
    @strawberry.field(extensions=signed_in(), description="The named roles, the last review "
                      "and check, the policy document, and what is overdue.")
    async def filtering_standards(self, info: Info, school_id: str) -> FilteringStandards:
        found = await info.context.call(SERVICE, "GetStandards", {"school_id": school_id})
        return FilteringStandards.of(found)

    @strawberry.field(extensions=signed_in(), description="The log of checks, newest first.")
    async def provision_checks(self, info: Info, school_id: str, offset: int = 0,
                               limit: int = 50) -> ProvisionCheckPage:
        query = {"school_id": school_id, "offset": offset, "limit": limit}
        return ProvisionCheckPage.of(await info.context.call(SERVICE, "ListProvisionChecks",
                                                             query))

    @strawberry.field(extensions=signed_in())
    async def provision_reviews(self, info: Info, school_id: str) -> list[ProvisionReview]:
        found = await info.context.call(SERVICE, "ListProvisionReviews", {"school_id": school_id})
        return [ProvisionReview.of(r) for r in found]

    @strawberry.field(extensions=signed_in(), description="Newest first.")
    async def policy_versions(self, info: Info, school_id: str) -> list[PolicyVersion]:
        found = await info.context.call(SERVICE, "ListPolicyVersions", {"school_id": school_id})
        return [PolicyVersion.of(p) for p in found]

    @strawberry.field(extensions=signed_in(), description="LA roles: every school of the LA, "
                      "the most overdue first.")
    async def la_filtering_standards(self, info: Info) -> list[SchoolStandingRow]:
        return [SchoolStandingRow.of(s)
                for s in await info.context.call(SERVICE, "LaStandards", {})]


@strawberry.type
class ComplianceMutation(DutiesMutation):
    @strawberry.mutation(extensions=signed_in())
    async def assign_responsibility(self, info: Info, input: AssignResponsibilityInput) -> bool:
        await info.context.call(SERVICE, "AssignResponsibility", body(input))
        return True

    @strawberry.mutation(extensions=signed_in())
    async def record_provision_review(self, info: Info,
                                      input: RecordProvisionReviewInput) -> bool:
        await info.context.call(SERVICE, "RecordProvisionReview", body(input))
        return True

    @strawberry.mutation(extensions=signed_in(), description="Returns the check's id.")
    async def record_provision_check(self, info: Info,
                                     input: RecordProvisionCheckInput) -> str:
        done = await info.context.call(SERVICE, "RecordProvisionCheck", body(input))
        return str(done["check_id"])

    @strawberry.mutation(extensions=signed_in(), description="Returns the new version number.")
    async def publish_policy_version(self, info: Info, input: PublishPolicyVersionInput) -> int:
        cmd = body(input) | {"named_roles": {r.role: r.holder for r in input.named_roles}}
        return int((await info.context.call(SERVICE, "PublishPolicyVersion", cmd))["version"])
