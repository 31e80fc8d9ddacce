"""Reads of the capture projection, shaped as the contract's views."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Row, and_, desc, func, select

from services.capture.contracts import (
    CaptureView,
    ListQueue,
    QueuePage,
    ScreenshotViewEntry,
    ScreenshotViewsPage,
)
from services.capture.domain.capture import ESCALATED
from services.capture.projections import captures, screenshot_views
from services.capture.staff import staff
from shared.db import Database, as_utc
from shared.errors import NotFound

ORDER = (desc(captures.c.severity), captures.c.captured_at, captures.c.capture_id)


# A capture with the name of the person its username resolved to (None: unresolved).
WITH_PERSON = (select(captures, staff.c.name.label("person_name"))
               .join(staff, staff.c.person_id == captures.c.person_id, isouter=True))


def view(row: Row[Any]) -> CaptureView:
    data = dict(row._mapping)
    for key in ("captured_at", "received_at", "claimed_until", "graded_at", "escalated_at"):
        if data[key] is not None:
            data[key] = as_utc(data[key])
    return CaptureView(**data, has_screenshot=data["screenshot_sha256"] is not None,
                       person_resolved=data["person_id"] is not None,
                       retention=retention_note(data["text_removed_on"],
                                                data["screenshot_removed_on"],
                                                data["notes_removed_on"]))


def retention_note(text: date | None, screenshot: date | None,
                   notes: date | None = None) -> str | None:
    """"text and screenshot removed under retention on 2027-03-01" (one line per day)."""
    days: dict[date, list[str]] = {}
    for what, on in (("text", text), ("screenshot", screenshot), ("moderation notes", notes)):
        if on is not None:
            days.setdefault(on, []).append(what)
    return "; ".join(f"{' and '.join(w)} removed under retention on {on.isoformat()}"
                     for on, w in sorted(days.items())) or None


async def queue(db: Database, la_id: str, q: ListQueue) -> QueuePage:
    where = [captures.c.la_id == la_id, captures.c.grade.is_(None),
             captures.c.severity.is_not(None)]
    if q.school_id:
        where.append(captures.c.school_id == q.school_id)
    if q.category:
        where.append(captures.c.category == q.category.value)
    if q.min_severity:
        where.append(captures.c.severity >= q.min_severity)
    if q.product:
        where.append(captures.c.product == q.product)
    if q.captured_before:
        where.append(captures.c.captured_at < q.captured_before)
    return await _page(db, and_(*where), q.offset, q.limit)


async def concerns(db: Database, school_id: str, offset: int, limit: int) -> QueuePage:
    where = and_(captures.c.school_id == school_id,
                 captures.c.grade.in_([g.value for g in ESCALATED]))
    return await _page(db, where, offset, limit)


async def _page(db: Database, where: Any, offset: int, limit: int) -> QueuePage:
    async with db.read() as conn:
        total = (await conn.execute(select(func.count()).select_from(captures)
                                    .where(where))).scalar_one()
        rows = await conn.execute(WITH_PERSON.where(where).order_by(*ORDER)
                                  .offset(offset).limit(limit))
        return QueuePage(items=[view(r) for r in rows], total=total, offset=offset,
                         limit=limit)


async def capture(db: Database, school_id: str, capture_id: str) -> CaptureView:
    async with db.read() as conn:
        row = (await conn.execute(WITH_PERSON.where(
            captures.c.capture_id == capture_id, captures.c.school_id == school_id))).first()
    if row is None:
        raise NotFound("no such capture at this school", field="capture_id")
    return view(row)


async def views(db: Database, school_id: str, capture_id: str | None, offset: int,
                limit: int) -> ScreenshotViewsPage:
    where = [screenshot_views.c.school_id == school_id]
    if capture_id:
        where.append(screenshot_views.c.capture_id == capture_id)
    async with db.read() as conn:
        total = (await conn.execute(select(func.count()).select_from(screenshot_views)
                                    .where(and_(*where)))).scalar_one()
        rows = await conn.execute(
            select(screenshot_views).where(and_(*where))
            .order_by(desc(screenshot_views.c.viewed_at)).offset(offset).limit(limit))
        items = [ScreenshotViewEntry(**{**r._mapping, "viewed_at": as_utc(r.viewed_at)})
                 for r in rows]
    return ScreenshotViewsPage(items=items, total=total)
