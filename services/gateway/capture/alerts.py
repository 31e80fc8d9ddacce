"""Alerts to schools: the list, acknowledging, the school's deadline, and the live feed.

The feed (`subscription { alerts(schoolId) }`, graphql-transport-ws at /graphql) is a core NATS
subscription on the capture stream's own subject `events.capture.<school>.AlertRaised`: a
JetStream publish is an ordinary NATS message too, so core subscribers get it as it is stored,
with nothing to create or clean up on the server. Core delivery is at-most-once, so the feed
starts with the school's open alerts (read after subscribing): a client that reconnects gets
what it missed that is still open. The capture service authorises the feed first (the same
rule as reading the list).
"""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry

from services.capture.alert_contracts import AlertPage as AlertPageView
from services.capture.alert_contracts import AlertView
from services.capture.contracts import SERVICE
from services.gateway.capture.enums import Category, Grade
from services.gateway.capture.socket import socket_caller
from services.gateway.context import Info, signed_in
from shared.claims import Claims
from shared.errors import DomainError
from shared.events import Envelope
from shared.rpc import RpcClient
from shared.streams import events_filter


@strawberry.enum(description="open: nobody has acknowledged it yet.")
class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


@strawberry.type
class AlertRecipient:
    person_id: str
    name: str
    role: str


@strawberry.type(description="A school told of an escalated capture.")
class Alert:
    alert_id: str
    school_id: str
    capture_id: str
    grade: Grade
    category: Category
    severity: int
    urgent: bool
    notes: str
    roles: list[str]
    recipients: list[AlertRecipient]
    raised_at: datetime
    acknowledge_by: datetime | None
    status: AlertStatus
    acknowledged_by: str | None
    acknowledged_by_name: str | None
    acknowledged_at: datetime | None
    acknowledgement_note: str | None
    escalated_at: datetime | None
    escalated_to: list[str] | None

    @classmethod
    def of(cls, view: AlertView) -> Alert:
        data = view.model_dump(exclude={"recipients", "la_id"})
        return cls(**{**data, "grade": Grade(view.grade), "category": Category(view.category),
                      "status": AlertStatus(view.status)},
                   recipients=[AlertRecipient(person_id=r.person_id, name=r.name, role=r.role)
                               for r in view.recipients])

    @classmethod
    def raised(cls, env: Envelope) -> Alert:
        """A new alert from its AlertRaised event alone (the event carries no notes)."""
        return cls.of(AlertView.model_validate({"notes": "", **env.payload,
                                                "raised_at": env.occurred_at,
                                                "status": "open"}))


async def _fresh(rpc: RpcClient, caller: Claims, env: Envelope, school_id: str,
                 alert_id: str) -> Alert:
    """The alert with its notes, which the event only references: the capture service reads
    them from its erasable content. (Refused or failed: the alert as its event says.)"""
    try:
        return Alert.of(AlertView.model_validate(await rpc.call(
            SERVICE, "GetAlert", {"school_id": school_id, "alert_id": alert_id}, caller)))
    except DomainError:
        return Alert.raised(env)


@strawberry.type
class AlertPage:
    items: list[Alert]
    total: int

    @classmethod
    def of(cls, data: Any) -> AlertPage:
        page = AlertPageView.model_validate(data)
        return cls(items=[Alert.of(a) for a in page.items], total=page.total)


@strawberry.type
class AlertQuery:
    @strawberry.field(extensions=signed_in(),
                      description="The school's alerts, newest first (its DSLs, ICT lead, "
                                  "headteacher, or the LA).")
    async def alerts(self, info: Info, school_id: str, status: AlertStatus | None = None,
                     offset: int = 0, limit: int = 50) -> AlertPage:
        query = {"school_id": school_id, "status": status.value if status else None,
                 "offset": offset, "limit": limit}
        return AlertPage.of(await info.context.call(SERVICE, "ListAlerts", query))


@strawberry.type
class AlertMutation:
    @strawberry.mutation(extensions=signed_in(),
                         description="Acknowledge an alert (once; who, when and the note are "
                                     "recorded). Returns the alert id.")
    async def acknowledge_alert(self, info: Info, school_id: str, alert_id: str,
                                note: str = "") -> str:
        cmd = {"school_id": school_id, "alert_id": alert_id, "note": note}
        return str((await info.context.call(SERVICE, "AcknowledgeAlert", cmd))["alert_id"])

    @strawberry.mutation(extensions=signed_in(),
                         description="Minutes a school has to acknowledge an urgent alert "
                                     "before it goes to the headteacher and the LA.")
    async def set_alert_deadline(self, info: Info, school_id: str, minutes: int) -> int:
        cmd = {"school_id": school_id, "minutes": minutes}
        return int((await info.context.call(SERVICE, "SetAlertDeadline", cmd))["minutes"])


@strawberry.type
class AlertSubscription:
    @strawberry.subscription(description="A school's open alerts (up to 200, oldest first), "
                                         "then new ones as they are raised "
                                         "(graphql-transport-ws at /graphql).")
    async def alerts(self, info: Info, school_id: str) -> AsyncGenerator[Alert, None]:
        rpc = info.context.rpc
        try:
            caller = await socket_caller(info.context)
            # Authorised by the service, and the school id validated before it makes a subject.
            await rpc.call(SERVICE, "ListAlerts", {"school_id": school_id, "limit": 0}, caller)
        except DomainError as exc:
            # The ErrorCodes extension does not see subscription errors: graphql-core copies
            # an error's `extensions` into the GraphQL error, so the client gets the code.
            setattr(exc, "extensions", {"code": exc.code})  # noqa: B010
            raise
        sub = await rpc.nc.subscribe(events_filter(SERVICE, school_id, "AlertRaised"))
        try:
            # Subscribed before reading what is open: an alert raised in between comes twice
            # (deduplicated below), never not at all. No flush is needed for that: the server
            # takes this connection's SUB before its request, so before the service reads. (A
            # flush cancelled by a leaving browser also stopped nats-py's reading for good.)
            page = AlertPageView.model_validate(await rpc.call(
                SERVICE, "ListAlerts", {"school_id": school_id, "status": "open", "limit": 200},
                caller))
            seen: set[str] = set()
            for view in reversed(page.items):
                seen.add(view.alert_id)
                yield Alert.of(view)
            async for msg in sub.messages:
                env = Envelope.model_validate_json(msg.data)
                alert_id = str(env.payload.get("alert_id"))
                if env.school_id != school_id or alert_id in seen:
                    continue  # already sent, or re-sent by the relay after a reconnect
                seen.add(alert_id)
                yield await _fresh(rpc, caller, env, school_id, alert_id)
        finally:
            await sub.unsubscribe()
