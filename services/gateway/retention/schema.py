"""Retention queries and mutations: each resolver is one RPC (compliance for the policy, the
record's own service for its purge)."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import datetime

import strawberry

from services.gateway.context import Info, signed_in
from services.gateway.directory.inputs import body
from services.gateway.retention.types import (
    PurgeLogPage,
    PurgeRun,
    RecordKeeper,
    Retention,
    SetRetentionOverrideInput,
    SetRetentionPolicyInput,
)

COMPLIANCE = "compliance"


@strawberry.type
class RetentionQuery:
    @strawberry.field(extensions=signed_in())
    async def retention(self, info: Info, school_id: str) -> Retention:
        return Retention.of(await info.context.call(COMPLIANCE, "GetRetention",
                                                    {"school_id": school_id}))

    @strawberry.field(extensions=signed_in(), description="What retention removed at the "
                      "school, newest first (the safeguarding leads and the LA).")
    async def purge_log(self, info: Info, keeper: RecordKeeper, school_id: str,
                        offset: int = 0, limit: int = 50) -> PurgeLogPage:
        query = {"school_id": school_id, "offset": offset, "limit": limit}
        return PurgeLogPage.of(await info.context.call(keeper.value, "ListPurges", query))


@strawberry.type
class RetentionMutation:
    @strawberry.mutation(extensions=signed_in(), description="LA admins: every record type's "
                         "period, and which types schools may set for themselves.")
    async def set_retention_policy(self, info: Info, input: SetRetentionPolicyInput) -> bool:
        months = {m.record_type.value: m.months for m in input.months}
        await info.context.call(COMPLIANCE, "SetRetentionPolicy", {
            "months": months, "school_may_set": [t.value for t in input.school_may_set]})
        return True

    @strawberry.mutation(extensions=signed_in(), description="A school's own period, where "
                         "the LA allows it.")
    async def set_retention_override(self, info: Info,
                                     input: SetRetentionOverrideInput) -> bool:
        await info.context.call(COMPLIANCE, "SetRetentionOverride", body(input))
        return True

    @strawberry.mutation(extensions=signed_in(), description="LA admins: run a service's "
                         "purge now (its timer runs it every hour).")
    async def run_purge(self, info: Info, keeper: RecordKeeper,
                        as_of: datetime | None = None) -> PurgeRun:
        cmd = {"as_of": as_of.isoformat() if as_of else None}
        return PurgeRun.of(await info.context.call(keeper.value, "PurgeDue", cmd))
