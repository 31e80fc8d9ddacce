"""Retention policy commands and query: the LA's admins set the periods, a school's leaders
set their own where the LA allows, and anyone at the school reads what applies to it."""

from __future__ import annotations

from services.compliance.domain.events import RecordType
from services.compliance.domain.retention import SetOverride, SetPolicy, retention
from services.compliance.retention_contracts import (
    GetRetention,
    RetentionPeriod,
    RetentionView,
    SetRetentionOverride,
    SetRetentionPolicy,
)
from services.compliance.retention_rules import LA_ROW, RetentionRules, periods_in, rules
from shared.claims import LA_ROLES, SCHOOL_ROLES, Claims, Role
from shared.events import Metadata
from shared.rpc import RpcRouter
from shared.service import Kit

OVERRIDERS = frozenset({Role.HEADTEACHER, Role.DSL, Role.SCHOOL_ADMIN, Role.LA_ADMIN})


class ComplianceRetention(RetentionRules):
    name = "compliance-retention"


def retention_routes(rpc: RpcRouter, kit: Kit) -> None:
    @rpc.handler("SetRetentionPolicy")
    async def set_policy(cmd: SetRetentionPolicy, caller: Claims) -> dict[str, str]:
        caller.require_role(caller.la_id, {Role.LA_ADMIN})
        await kit.bus.execute(retention, caller.la_id, SetPolicy(
            caller.la_id, dict(cmd.months), frozenset(cmd.school_may_set), caller.subject),
            Metadata(school_id=caller.la_id))
        return {"la_id": caller.la_id}

    @rpc.handler("SetRetentionOverride")
    async def set_override(cmd: SetRetentionOverride, caller: Claims) -> dict[str, str]:
        caller.require_school_role(cmd.school_id, OVERRIDERS)
        await kit.bus.execute(retention, caller.la_id, SetOverride(
            caller.la_id, cmd.school_id, cmd.record_type, cmd.months, caller.subject),
            Metadata(school_id=cmd.school_id))
        return {"school_id": cmd.school_id}

    @rpc.handler("GetRetention")
    async def get(q: GetRetention, caller: Claims) -> RetentionView:
        caller.require_role(q.school_id, SCHOOL_ROLES | LA_ROLES)
        async with kit.db.read() as conn:
            periods = await periods_in(conn, caller.la_id, q.school_id)
            allowed = {RecordType(r.record_type) for r in await conn.execute(
                rules.select().where(rules.c.la_id == caller.la_id,
                                     rules.c.school_id == LA_ROW, rules.c.school_may_set))}
        return RetentionView(school_id=q.school_id, periods=[
            RetentionPeriod(record_type=t, months=m, set_by_school=own,
                            school_may_set=t in allowed)
            for t, (m, own) in sorted(periods.items())])
