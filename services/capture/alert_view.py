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
    case,
    insert,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture.domain.events import (
    AlertAcknowledged,
    AlertEscalated,
    AlertRaised,
    CaptureContentPurged,
    notes_of,
)
from shared import content
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


def raised_row(env: Envelope, ev: AlertRaised, notes: str) -> dict[str, Any]:
    data = ev.model_dump(mode="json", exclude={"content_ref"})
    return {**data, "notes": notes, "acknowledge_by": ev.acknowledge_by,
            "raised_at": env.occurred_at, "status": "open"}


async def kept(conn: AsyncConnection, ref: str | None) -> dict[str, str]:
    return (await content.texts_in(conn, [ref])).get(ref or "", {})


class AlertBoard(Projection):
    name = "capture-alerts"
    sources = ("capture",)
    handles = frozenset(e.type_name for e in (AlertRaised, AlertAcknowledged, AlertEscalated,
                                               CaptureContentPurged))
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case AlertRaised():
                notes = notes_of(await kept(conn, event.content_ref))
                await conn.execute(insert(alerts).values(**raised_row(env, event, notes)))
            case AlertAcknowledged(alert_id=aid):
                note = (await kept(conn, event.content_ref)).get("note", "")
                await conn.execute(update(alerts).where(alerts.c.alert_id == aid).values(
                    status="acknowledged", acknowledged_by=event.by,
                    acknowledged_by_name=event.by_name, acknowledged_at=event.at,
                    acknowledgement_note=note))
            case CaptureContentPurged(capture_id=cid, fields=fields) if "notes" in fields:
                # The grade's notes and the acknowledgement notes went with the capture's.
                c = alerts.c
                await conn.execute(update(alerts).where(c.capture_id == cid).values(
                    notes="", acknowledgement_note=case(
                        (c.acknowledgement_note.is_(None), None), else_="")))
            case AlertEscalated(alert_id=aid):
                to = [*event.roles, *(r.person_id for r in event.recipients)]
                await conn.execute(update(alerts).where(alerts.c.alert_id == aid).values(
                    escalated_at=event.at, escalated_to=to))
