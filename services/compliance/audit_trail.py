"""The one audit trail of sensitive reads, for the DSL (their school) and the LA (every school).

Why here: each service records the reads it serves in its own store (`shared/audit.py`), so a
read and its record never depend on another service being up; compliance is the service the
DSL and the LA already use for the record of how safeguarding is done, and it consumes every
service's `RecordViewed` (and capture's older `ScreenshotViewed`) into one table. That table
is append-only: nothing in the code updates or deletes it, and triggers refuse UPDATE and
DELETE on SQLite and PostgreSQL alike. The events stay the source of truth: a rebuild drops
and refills the table from them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    MetaData,
    Select,
    String,
    Table,
    Uuid,
    exists,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services import SERVICES
from services.capture.domain.events import ScreenshotViewed
from services.compliance.audit_contracts import AuditEntry, AuditPage, AuditTrail
from services.compliance.projections import schools
from shared.audit import RecordKind, RecordViewed, append_only
from shared.claims import Claims
from shared.db import Database, as_utc, new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

trail = append_only(Table(
    "audit_trail", metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("school_id", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("record_id", String(80), nullable=False),
    Column("subjects", JSON, nullable=False),
    Column("action", String(80), nullable=False),
    Column("viewer", String(64), nullable=False),
    Column("viewer_name", String(200), nullable=False),
    Column("viewer_school", String(64), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("ip", String(64), nullable=False),
    Column("user_agent", String(300), nullable=False),
    Index("ix_audit_trail_school_at", "school_id", "at"),
    Index("ix_audit_trail_record", "kind", "record_id"),
    Index("ix_audit_trail_viewer", "viewer", "at"),
))
# One row per person whose data a read touched: the "by person" question is an index scan.
subjects = append_only(Table(
    "audit_subjects", metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("person_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False),
    Index("ix_audit_subjects_person", "school_id", "person_id"),
))


class AuditTrailProjection(Projection):
    name = "compliance-audit-trail"
    sources = SERVICES
    handles = frozenset({RecordViewed.type_name, ScreenshotViewed.type_name})
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case RecordViewed():
                row = event.model_dump(mode="json")
            case ScreenshotViewed():  # capture's views before the kit recorded them
                row = {"kind": RecordKind.SCREENSHOT.value, "record_id": event.capture_id,
                       "subjects": [], "action": "ViewScreenshot", "ip": "",
                       "user_agent": "", **event.model_dump(exclude={"capture_id"})}
            case _:
                return
        await conn.execute(insert(trail).values(event_id=env.event_id, school_id=env.school_id,
                                                at=env.occurred_at, **row))
        if row["subjects"]:
            await conn.execute(insert(subjects), [
                {"event_id": env.event_id, "person_id": p, "school_id": env.school_id}
                for p in row["subjects"]])


def _where(q: AuditTrail, caller: Claims) -> Select[Any]:
    t = trail.c
    query = select(trail)
    if q.school_id is not None:
        query = query.where(t.school_id == q.school_id)
    else:  # an LA role without a school: every school of its LA, and the LA's own records
        of_la = select(schools.c.school_id).where(schools.c.la_id == caller.la_id)
        query = query.where(or_(t.school_id.in_(of_la), t.school_id == caller.la_id))
    if q.person_id is not None:
        query = query.where(exists().where(subjects.c.event_id == t.event_id,
                                           subjects.c.person_id == q.person_id))
    if q.kind is not None:
        query = query.where(t.kind == q.kind.value)
    if q.record_id is not None:
        query = query.where(t.record_id == q.record_id)
    if q.viewer is not None:
        query = query.where(t.viewer == q.viewer)
    if q.since is not None:
        query = query.where(t.at >= q.since)
    if q.until is not None:
        query = query.where(t.at < q.until)
    return query


async def page(db: Database, q: AuditTrail, caller: Claims) -> AuditPage:
    query = _where(q, caller)
    async with db.read() as conn:
        total = (await conn.execute(
            select(func.count()).select_from(query.subquery()))).scalar_one()
        rows = list(await conn.execute(query.order_by(trail.c.at.desc(), trail.c.event_id)
                                       .offset(q.offset).limit(q.limit)))
    return AuditPage(items=[AuditEntry(**{**r._mapping, "event_id": str(r.event_id),
                                          "at": as_utc(r.at)}) for r in rows],
                     total=total, offset=q.offset, limit=q.limit)
