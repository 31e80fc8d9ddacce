"""Alert commands and queries over NATS request-reply, each authorised for its school."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, select

from services.capture.alert_contracts import (
    AcknowledgeAlert,
    AlertPage,
    AlertView,
    DigestPage,
    DigestReport,
    EscalateOverdueAlerts,
    EscalationReport,
    GetAlert,
    ListAlerts,
    ListDigests,
    SendDueDigests,
    SetAlertDeadline,
)
from services.capture.alert_view import alerts, raised_row
from services.capture.alerting import NOTE, Alerting
from services.capture.digests import Digests, list_digests
from services.capture.domain.alert import SetDeadline, alert, alert_policy
from services.capture.domain.events import (
    AlertAcknowledged,
    AlertEscalated,
    AlertRaised,
    notes_of,
)
from shared import content
from shared.claims import LA_ROLES, Claims, Role
from shared.db import Database, as_utc
from shared.errors import InvalidInput, NotFound
from shared.events import Metadata
from shared.rpc import RpcRouter
from shared.service import Kit

# The school's people alerts go to or escalate to; the LA sees every school's.
ALERT_READERS = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.ICT_LEAD, Role.HEADTEACHER})
DEADLINE_SETTERS = frozenset({Role.HEADTEACHER, Role.DSL, Role.LA_ADMIN})
TIMES = ("raised_at", "acknowledge_by", "acknowledged_at", "escalated_at")


def view(row: Row[Any]) -> AlertView:
    data = dict(row._mapping)
    for key in TIMES:
        if data[key] is not None:
            data[key] = as_utc(data[key])
    return AlertView(**data)


async def list_alerts(db: Database, q: ListAlerts, caller: Claims) -> AlertPage:
    where = [alerts.c.school_id == q.school_id]
    if caller.is_la:
        where.append(alerts.c.la_id == caller.la_id)
    if q.status:
        where.append(alerts.c.status == q.status)
    async with db.read() as conn:
        total = (await conn.execute(select(func.count()).select_from(alerts).where(*where)))\
            .scalar_one()
        rows = await conn.execute(select(alerts).where(*where)
                                  .order_by(alerts.c.raised_at.desc(), alerts.c.alert_id)
                                  .offset(q.offset).limit(q.limit))
        return AlertPage(items=[view(r) for r in rows], total=total)


async def alert_of(kit: Kit, q: GetAlert, caller: Claims) -> AlertView:
    stored = await kit.store.load(alert.aggregate_type, q.alert_id)
    events = [(env, kit.registry.decode(env)) for env in stored]
    raised = events[0][1] if events else None
    if not isinstance(raised, AlertRaised) or raised.school_id != q.school_id or (
            caller.is_la and raised.la_id != caller.la_id):
        raise NotFound("no such alert at this school", field="alert_id")
    refs = [getattr(ev, "content_ref", None) for _, ev in events]
    async with kit.db.read() as conn:
        kept = await content.texts_in(conn, refs)
    row = raised_row(events[0][0], raised, notes_of(kept.get(raised.content_ref or "", {})))
    for _, ev in events[1:]:
        match ev:
            case AlertAcknowledged():
                row.update(status="acknowledged", acknowledged_by=ev.by,
                           acknowledged_by_name=ev.by_name, acknowledged_at=ev.at,
                           acknowledgement_note=kept.get(ev.content_ref or "", {}).get(
                               NOTE, ""))
            case AlertEscalated():
                row.update(escalated_at=ev.at,
                           escalated_to=[*ev.roles, *(r.person_id for r in ev.recipients)])
    return AlertView(**row)


def routes(rpc: RpcRouter, alerting: Alerting, digests: Digests) -> None:
    kit = alerting.kit

    @rpc.handler("ListDigests")
    async def list_digests_(q: ListDigests, caller: Claims) -> DigestPage:
        caller.require_role(q.school_id, ALERT_READERS | LA_ROLES)
        return await list_digests(kit.db, q)

    @rpc.handler("SendDueDigests")
    async def send_digests(cmd: SendDueDigests, caller: Claims) -> DigestReport:
        caller.require_role(caller.la_id, {Role.LA_ADMIN})
        now = digests.clock()
        if cmd.as_of is not None and cmd.as_of > now:
            raise InvalidInput("digests cannot be sent ahead of time", field="as_of")
        return DigestReport(sent=await digests.send_due(cmd.as_of or now, caller.la_id))

    @rpc.handler("ListAlerts")
    async def list_(q: ListAlerts, caller: Claims) -> AlertPage:
        caller.require_role(q.school_id, ALERT_READERS | LA_ROLES)
        return await list_alerts(kit.db, q, caller)

    @rpc.handler("GetAlert")
    async def get(q: GetAlert, caller: Claims) -> AlertView:
        caller.require_role(q.school_id, ALERT_READERS | LA_ROLES)
        return await alert_of(kit, q, caller)

    @rpc.handler("AcknowledgeAlert")
    async def acknowledge(cmd: AcknowledgeAlert, caller: Claims) -> dict[str, str]:
        caller.require_role(cmd.school_id, ALERT_READERS)
        await alerting.acknowledge(cmd.school_id, cmd.alert_id, caller.subject,
                                   caller.name or caller.subject, cmd.note)
        return {"alert_id": cmd.alert_id, "status": "acknowledged"}

    @rpc.handler("SetAlertDeadline")
    async def set_deadline(cmd: SetAlertDeadline, caller: Claims) -> dict[str, object]:
        caller.require_school_role(cmd.school_id, DEADLINE_SETTERS)
        await kit.bus.execute(alert_policy, cmd.school_id,
                              SetDeadline(cmd.school_id, cmd.minutes, caller.subject),
                              Metadata(school_id=cmd.school_id))
        return {"school_id": cmd.school_id, "minutes": cmd.minutes}

    @rpc.handler("EscalateOverdueAlerts")
    async def escalate(cmd: EscalateOverdueAlerts, caller: Claims) -> EscalationReport:
        caller.require_role(caller.la_id, {Role.LA_ADMIN})
        now = alerting.clock()
        if cmd.as_of is not None and cmd.as_of > now:
            raise InvalidInput("alerts cannot be escalated ahead of time", field="as_of")
        return EscalationReport(escalated=await alerting.escalate_overdue(cmd.as_of or now))
