"""The capture read model: the moderation queue (one row per capture) and the screenshot
view audit trail.

A capture's text is not in its events: the row copies it from the service's erasable content
(same database) when the capture arrives, and blanks it when retention purges it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
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
    TEXT_FIELDS,
    CaptureClaimed,
    CaptureContentPurged,
    CaptureModerated,
    CaptureReceived,
    CaptureRegraded,
    CaptureReleased,
    CaptureTriaged,
    ConcernEscalated,
    ScreenshotViewed,
    notes_of,
)
from services.capture.people import resolve_many, user_key
from shared import content
from shared.audit import RecordKind, RecordViewed
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
    Column("content_ref", String(64)),
    Column("text_removed_on", Date),  # retention purged the excerpt and trigger on that day
    Column("screenshot_removed_on", Date),
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
    Column("notes_removed_on", Date),  # retention removed the moderation notes that day
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
           CaptureRegraded, ConcernEscalated, ScreenshotViewed, CaptureContentPurged,
           RecordViewed)


def _received(env: Envelope, ev: CaptureReceived) -> dict[str, Any]:
    row = ev.model_dump(exclude={"screenshot_type", "screenshot_bytes"})
    # Every key, so rows with and without their triage fit one multi-row insert.
    return {**row, **dict.fromkeys(TEXT_FIELDS, ""), "received_at": env.occurred_at,
            "user_key": user_key(ev.username),
            "person_id": None, "matches": [], "bulk": False,
            "category": None, "severity": None, "priority": None, "escalated_at": None,
            "text_removed_on": None, "screenshot_removed_on": None, "notes_removed_on": None}


async def _with_text(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Fill the rows' text from the erasable content (nothing once it is purged)."""
    kept = await content.texts_in(conn, [r["content_ref"] for r in rows])
    for row in rows:
        row.update(kept.get(row["content_ref"] or "", {}))


def _triaged(ev: CaptureTriaged) -> dict[str, Any]:
    return {"category": ev.category.value, "severity": ev.severity,
            "priority": ev.priority.value,
            "matches": [m.model_dump(mode="json") for m in ev.matches]}


class CaptureQueue(Projection):
    name = "capture-queue"
    sources = ("capture",)
    handles = frozenset(e.type_name for e in HANDLED)
    metadata: ClassVar[MetaData] = metadata
    # Consumed, not inline, on purpose: applied in the ingest transaction it made ingest ~40%
    # faster, but each batch then held SQLite's write lock longer and the urgent-alert p99
    # under 1,000 captures/s rose from ~220 to ~320 ms (the README's "Latest figures").

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
                await _with_text(conn, [row])
                await resolve_many(conn, [row])
                await conn.execute(insert(captures).values(**row))
            case CaptureTriaged(capture_id=cid):
                await _set(conn, cid, **_triaged(event))
            case CaptureClaimed(capture_id=cid, moderator=who, until=until):
                await _set(conn, cid, claimed_by=who, claimed_until=until)
            case CaptureReleased(capture_id=cid):
                await _set(conn, cid, claimed_by=None, claimed_until=None)
            case CaptureModerated(capture_id=cid, grade=grade, moderator=who, bulk=bulk):
                await _set(conn, cid, grade=grade.value, notes=await _notes(conn, event),
                           graded_by=who, graded_at=env.occurred_at, bulk=bulk,
                           claimed_by=None, claimed_until=None)
            case CaptureRegraded(capture_id=cid, grade=grade, moderator=who):
                await _set(conn, cid, grade=grade.value, notes=await _notes(conn, event),
                           graded_by=who, graded_at=env.occurred_at, claimed_by=None,
                           claimed_until=None)
            case ConcernEscalated(capture_id=cid):
                await _set(conn, cid, escalated_at=env.occurred_at)
            case CaptureContentPurged(capture_id=cid, removed_on=on, fields=fields):
                text = {f: "" for f in TEXT_FIELDS} | {"text_removed_on": on} \
                    if "excerpt" in fields else {}
                shot = {"screenshot_sha256": None, "screenshot_removed_on": on} \
                    if event.screenshot_sha256 else {}
                notes = {"notes": "", "notes_removed_on": on} if "notes" in fields else {}
                await _set(conn, cid, **text, **shot, **notes)
            case ScreenshotViewed():  # stored before the kit's audit event existed
                await conn.execute(insert(screenshot_views).values(
                    event_id=env.event_id, school_id=env.school_id, viewed_at=env.occurred_at,
                    **event.model_dump()))
            case RecordViewed(kind=RecordKind.SCREENSHOT):
                await conn.execute(insert(screenshot_views).values(
                    event_id=env.event_id, school_id=env.school_id, viewed_at=env.occurred_at,
                    capture_id=event.record_id, viewer=event.viewer,
                    viewer_name=event.viewer_name, viewer_school=event.viewer_school,
                    roles=event.roles))


async def _notes(conn: AsyncConnection, event: CaptureModerated | CaptureRegraded) -> str:
    """A grade's notes (a regrade's reason when it has none) while kept."""
    ref = event.content_ref or ""
    return notes_of((await content.texts_in(conn, [ref])).get(ref, {}))


async def _set(conn: AsyncConnection, capture_id: str, **values: Any) -> None:
    await conn.execute(update(captures).where(captures.c.capture_id == capture_id)
                       .values(**values))


async def _flush(conn: AsyncConnection, pending: dict[str, dict[str, Any]]) -> None:
    if pending:
        await _with_text(conn, list(pending.values()))
        await resolve_many(conn, list(pending.values()))
        await conn.execute(insert(captures), list(pending.values()))
        pending.clear()
