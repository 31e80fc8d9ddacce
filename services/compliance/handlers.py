"""Compliance entry points: commands and queries over NATS request-reply.

Each handler authorises the caller for the school named in the request, then either runs a
command through the bus or reads the projection.
"""

from __future__ import annotations

from uuid import uuid4

from services.compliance import queries, records
from services.compliance.audit_trail import AuditTrailProjection
from services.compliance.contracts import (
    SERVICE,
    CheckPage,
    GetStandards,
    LaStandards,
    ListChecks,
    ListPolicyVersions,
    ListReviews,
    PolicyView,
    ReviewView,
    SchoolStanding,
    StandardsView,
)
from services.compliance.domain.commands import (
    AssignResponsibility,
    PublishPolicyVersion,
    RecordProvisionCheck,
    RecordProvisionReview,
)
from services.compliance.domain.policy import Publishing, policy
from services.compliance.domain.provision import Acting, provision
from services.compliance.duties import register
from services.compliance.projections import Schools, Standards
from services.compliance.retention_policy import ComplianceRetention, retention_routes
from shared.claims import LA_ROLES, SCHOOL_ROLES, Claims, Role
from shared.events import Clock, Metadata, now
from shared.rpc import RpcRouter
from shared.service import Kit, Wiring

# Who keeps the record: the school's leaders for safeguarding, or the LA's admins.
MANAGERS = frozenset({Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.ESAFETY_COORDINATOR,
                      Role.SCHOOL_ADMIN, Role.LA_ADMIN})
# Who tests the filtering and monitoring: the leaders, and the school's IT people.
CHECKERS = MANAGERS | {Role.ICT_LEAD, Role.TECHNICIAN}
# Everyone at the school (governors oversee the provision), and the LA.
READERS = SCHOOL_ROLES | LA_ROLES


def build(kit: Kit, clock: Clock = now) -> Wiring:
    rpc = RpcRouter(SERVICE)
    duties = register(rpc, kit, clock, READERS)
    bus = kit.bus

    async def on_provision(cmd: AssignResponsibility | RecordProvisionReview
                           | RecordProvisionCheck, caller: Claims,
                           check_id: str = "") -> dict[str, str]:
        await bus.execute(provision, cmd.school_id,
                          Acting(cmd, caller.subject, now().date(), check_id),
                          Metadata(school_id=cmd.school_id))
        return {"school_id": cmd.school_id}

    @rpc.handler("AssignResponsibility")
    async def assign(cmd: AssignResponsibility, caller: Claims) -> dict[str, str]:
        caller.require_school_role(cmd.school_id, MANAGERS)
        return await on_provision(cmd, caller)

    @rpc.handler("RecordProvisionReview")
    async def review(cmd: RecordProvisionReview, caller: Claims) -> dict[str, str]:
        caller.require_school_role(cmd.school_id, MANAGERS)
        return await on_provision(cmd, caller)

    @rpc.handler("RecordProvisionCheck")
    async def check(cmd: RecordProvisionCheck, caller: Claims) -> dict[str, str]:
        caller.require_school_role(cmd.school_id, CHECKERS)
        check_id = uuid4().hex
        await on_provision(cmd, caller, check_id)
        return {"school_id": cmd.school_id, "check_id": check_id}

    @rpc.handler("PublishPolicyVersion")
    async def publish(cmd: PublishPolicyVersion, caller: Claims) -> dict[str, object]:
        caller.require_school_role(cmd.school_id, MANAGERS)
        done = await bus.execute(policy, cmd.school_id, Publishing(cmd, caller.subject),
                                 Metadata(school_id=cmd.school_id))
        return {"school_id": cmd.school_id, "version": done.state.version}

    @rpc.handler("GetStandards")
    async def get_standards(q: GetStandards, caller: Claims) -> StandardsView:
        caller.require_role(q.school_id, READERS)
        return await queries.standards(kit.db, q.school_id, now().date())

    @rpc.handler("ListProvisionChecks")
    async def list_checks(q: ListChecks, caller: Claims) -> CheckPage:
        caller.require_role(q.school_id, READERS)
        return await queries.check_page(kit.db, q.school_id, q.offset, q.limit)

    @rpc.handler("ListProvisionReviews")
    async def list_reviews(q: ListReviews, caller: Claims) -> list[ReviewView]:
        caller.require_role(q.school_id, READERS)
        return await queries.reviews_of(kit.db, q.school_id)

    @rpc.handler("ListPolicyVersions")
    async def list_policies(q: ListPolicyVersions, caller: Claims) -> list[PolicyView]:
        caller.require_role(q.school_id, READERS)
        return await queries.policy_versions(kit.db, q.school_id)

    @rpc.handler("LaStandards")
    async def la_standards(_: LaStandards, caller: Claims) -> list[SchoolStanding]:
        caller.require_role(caller.la_id, LA_ROLES)
        return await queries.la_standing(kit.db, caller.la_id, now().date())

    records.routes(rpc, kit)  # the audit trail and subject access requests
    retention_routes(rpc, kit)
    return Wiring(rpc=rpc, projections=[Standards(), Schools(), AuditTrailProjection(),
                                        ComplianceRetention(), *duties.projections],
                  tasks=duties.tasks, tables=duties.tables, gauges=duties.gauges)
