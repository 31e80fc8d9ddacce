"""The alerts read model: one row per alert, open or acknowledged, for the school's view and
for the overdue scan."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture.domain.events import AlertAcknowledged, AlertEscalated, AlertRaised
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

alerts = Table(
    "alerts", metadata,
    Column("alert_id", String(32), primary_key=True),
    Column("school_id", String(64), nullable=False),
    Column("la_id", String(64), nullable=False),
    Column("capture_id", String(32), nullable=False),
    Column("grade", String(40), nullable=False),
    Column("category", String(40), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("notes", Text, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("acknowledge_by", DateTime(timezone=True)),
    Column("status", String(20), nullable=False),  # open | acknowledged
    Column("acknowledged_by", String(64)),
    Column("acknowledged_by_name", String(200)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("acknowledgement_note", Text),
    Column("escalated_at", DateTime(timezone=True)),
    Column("escalated_to", JSON),
    Index("ix_alerts_school_status", "school_id", "status", "raised_at"),
    Index("ix_alerts_overdue", "status", "urgent", "acknowledge_by"),
)


def raised_row(env: Envelope, ev: AlertRaised) -> dict[str, Any]:
    data = ev.model_dump(mode="json")
    return {**data, "acknowledge_by": ev.acknowledge_by, "raised_at": env.occurred_at,
            "status": "open"}


class AlertBoard(Projection):
    name = "capture-alerts"
    sources = ("capture",)
    handles = frozenset(e.type_name for e in (AlertRaised, AlertAcknowledged, AlertEscalated))
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case AlertRaised():
                await conn.execute(insert(alerts).values(**raised_row(env, event)))
            case AlertAcknowledged(alert_id=aid):
                await conn.execute(update(alerts).where(alerts.c.alert_id == aid).values(
                    status="acknowledged", acknowledged_by=event.by,
                    acknowledged_by_name=event.by_name, acknowledged_at=event.at,
                    acknowledgement_note=event.note))
            case AlertEscalated(alert_id=aid):
                to = [*event.roles, *(r.person_id for r in event.recipients)]
                await conn.execute(update(alerts).where(alerts.c.alert_id == aid).values(
                    escalated_at=event.at, escalated_to=to))
