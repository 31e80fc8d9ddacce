"""The capture read model: the moderation queue (one row per capture) and the screenshot
view audit trail."""

from __future__ import annotations

from collections.abc import Sequence
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
    Uuid,
    insert,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture.domain.events import (
    CaptureClaimed,
    CaptureModerated,
    CaptureReceived,
    CaptureRegraded,
    CaptureReleased,
    CaptureTriaged,
    ConcernEscalated,
    ScreenshotViewed,
)
from services.capture.people import resolve_many, user_key
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

captures = Table(
    "captures", metadata,
    Column("capture_id", String(32), primary_key=True),
    Column("school_id", String(64), nullable=False),
    Column("la_id", String(64), nullable=False),
    Column("product", String(100), nullable=False),
    Column("product_capture_id", String(200), nullable=False),
    Column("captured_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("machine", String(200), nullable=False),
    Column("username", String(200), nullable=False),
    Column("user_key", String(200), nullable=False, server_default=""),
    Column("person_id", String(64)),  # NULL: no single person of the school has the username
    Column("trigger", String(500), nullable=False),
    Column("product_category", String(100)),
    Column("product_severity", Integer),
    Column("excerpt", Text, nullable=False),
    Column("url", String(2000)),
    Column("screenshot_sha256", String(64)),
    Column("category", String(40)),
    Column("severity", Integer),
    Column("priority", String(20)),
    Column("matches", JSON, nullable=False),
    Column("claimed_by", String(64)),
    Column("claimed_until", DateTime(timezone=True)),
    Column("grade", String(40)),
    Column("graded_by", String(64)),
    Column("graded_at", DateTime(timezone=True)),
    Column("notes", Text),
    Column("bulk", Boolean, nullable=False, default=False),
    Column("escalated_at", DateTime(timezone=True)),
    # The queue: ungraded, most severe first, then oldest first.
    Index("ix_captures_queue", "la_id", "grade", "severity", "captured_at"),
    Index("ix_captures_school_grade", "school_id", "grade"),
    Index("ix_captures_school_user", "school_id", "user_key"),
)

screenshot_views = Table(
    "screenshot_views", metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("capture_id", String(32), nullable=False),
    Column("school_id", String(64), nullable=False),
    Column("viewer", String(64), nullable=False),
    Column("viewer_name", String(200), nullable=False),
    Column("viewer_school", String(64), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("viewed_at", DateTime(timezone=True), nullable=False),
    Index("ix_screenshot_views_school", "school_id", "viewed_at"),
)

HANDLED = (CaptureReceived, CaptureTriaged, CaptureClaimed, CaptureReleased, CaptureModerated,
           CaptureRegraded, ConcernEscalated, ScreenshotViewed)


def _received(env: Envelope, ev: CaptureReceived) -> dict[str, Any]:
    row = ev.model_dump(exclude={"screenshot_type", "screenshot_bytes"})
    # Every key, so rows with and without their triage fit one multi-row insert.
    return {**row, "received_at": env.occurred_at, "user_key": user_key(ev.username),
            "person_id": None, "matches": [], "bulk": False,
            "category": None, "severity": None, "priority": None, "escalated_at": None}


def _triaged(ev: CaptureTriaged) -> dict[str, Any]:
    return {"category": ev.category.value, "severity": ev.severity,
            "priority": ev.priority.value,
            "matches": [m.model_dump(mode="json") for m in ev.matches]}


class CaptureQueue(Projection):
    name = "capture-queue"
    sources = ("capture",)
    handles = frozenset(e.type_name for e in HANDLED)
    metadata: ClassVar[MetaData] = metadata

    async def apply_batch(self, conn: AsyncConnection,
                          items: Sequence[tuple[Envelope, Event]]) -> None:
        # Ingest makes Received+Triaged pairs: fold them into one multi-row insert.
        pending: dict[str, dict[str, Any]] = {}
        for env, event in items:
            if isinstance(event, CaptureReceived):
                pending[event.capture_id] = _received(env, event)
            elif isinstance(event, CaptureTriaged) and event.capture_id in pending:
                pending[event.capture_id].update(_triaged(event))
            else:
                await _flush(conn, pending)
                await self.apply(conn, env, event)
        await _flush(conn, pending)

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case CaptureReceived():
                row = _received(env, event)
                await resolve_many(conn, [row])
                await conn.execute(insert(captures).values(**row))
            case CaptureTriaged(capture_id=cid):
                await _set(conn, cid, **_triaged(event))
            case CaptureClaimed(capture_id=cid, moderator=who, until=until):
                await _set(conn, cid, claimed_by=who, claimed_until=until)
            case CaptureReleased(capture_id=cid):
                await _set(conn, cid, claimed_by=None, claimed_until=None)
            case CaptureModerated(capture_id=cid, grade=grade, notes=notes, moderator=who,
                                  bulk=bulk):
                await _set(conn, cid, grade=grade.value, notes=notes, graded_by=who,
                           graded_at=env.occurred_at, bulk=bulk, claimed_by=None,
                           claimed_until=None)
            case CaptureRegraded(capture_id=cid, grade=grade, notes=notes, reason=reason,
                                 moderator=who):
                await _set(conn, cid, grade=grade.value, notes=notes or reason, graded_by=who,
                           graded_at=env.occurred_at, claimed_by=None, claimed_until=None)
            case ConcernEscalated(capture_id=cid):
                await _set(conn, cid, escalated_at=env.occurred_at)
            case ScreenshotViewed():
                await conn.execute(insert(screenshot_views).values(
                    event_id=env.event_id, school_id=env.school_id, viewed_at=env.occurred_at,
                    **event.model_dump()))


async def _set(conn: AsyncConnection, capture_id: str, **values: Any) -> None:
    await conn.execute(update(captures).where(captures.c.capture_id == capture_id)
                       .values(**values))


async def _flush(conn: AsyncConnection, pending: dict[str, dict[str, Any]]) -> None:
    if pending:
        await resolve_many(conn, list(pending.values()))
        await conn.execute(insert(captures), list(pending.values()))
        pending.clear()
