"""Daily digests: urgent captures alert at once; the rest of a day's moderation reaches the
school's safeguarding contacts the next morning as one digest (counts per grade, the concerns
and violations, alerts still open). A timer sends yesterday's once it is past DIGEST_HOUR;
the digest decider makes a second run (a restart, a second replica) send nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    distinct,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture.alert_contracts import DigestPage, DigestView, ListDigests
from services.capture.alert_view import alerts
from services.capture.domain.alert import ALERT_ROLES
from services.capture.domain.digest import SendDigest, digest, digest_id_of
from services.capture.domain.events import DigestSent, Grade
from services.capture.projections import captures
from services.capture.staff import holders
from shared.db import Database, as_utc, new_metadata
from shared.events import Clock, Envelope, Event, Metadata
from shared.periodic import Job, every
from shared.projection import Projection
from shared.service import Kit

log = logging.getLogger(__name__)
DIGEST_HOUR = 6  # UTC: yesterday's digest goes out from 06:00
EVERY_SECONDS = 3600.0
BELOW_URGENT = [g.value for g in Grade if g is not Grade.URGENT_CHILD_PROTECTION]
CONCERNS = (Grade.CONCERN.value, Grade.VIOLATION.value)

metadata = new_metadata()
digests = Table(
    "capture_digests", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("counts", JSON, nullable=False),
    Column("concerns", JSON, nullable=False),
    Column("open_alerts", Integer, nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)


class DigestLog(Projection):
    name = "capture-digests"
    sources = ("capture",)
    handles = frozenset({DigestSent.type_name})
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if isinstance(event, DigestSent):
            data = {**event.model_dump(mode="json"), "day": event.day}
            await conn.execute(insert(digests).values(**data, sent_at=env.occurred_at))


def due_day(as_of: datetime) -> date | None:
    """The day whose digest is due at `as_of`: yesterday, once it is past the digest hour."""
    as_of = as_of.astimezone(UTC)
    return as_of.date() - timedelta(days=1) if as_of.hour >= DIGEST_HOUR else None


async def compose(conn: AsyncConnection, school_id: str, day: date) -> DigestSent:
    start = datetime.combine(day, time(), UTC)
    graded = [captures.c.school_id == school_id, captures.c.graded_at >= start,
              captures.c.graded_at < start + timedelta(days=1),
              captures.c.grade.in_(BELOW_URGENT)]
    counts = {g: n for g, n in await conn.execute(
        select(captures.c.grade, func.count()).where(*graded).group_by(captures.c.grade))}
    concerns = list((await conn.execute(
        select(captures.c.capture_id).where(*graded, captures.c.grade.in_(CONCERNS))
        .order_by(captures.c.graded_at, captures.c.capture_id))).scalars())
    open_alerts = (await conn.execute(select(func.count()).select_from(alerts).where(
        alerts.c.school_id == school_id, alerts.c.status == "open"))).scalar_one()
    return DigestSent(school_id=school_id, day=day, counts=counts, concerns=concerns,
                      open_alerts=open_alerts,
                      recipients=await holders(conn, school_id, ALERT_ROLES))


@dataclass
class Digests:
    kit: Kit
    clock: Clock

    async def send_due(self, as_of: datetime, la_id: str | None = None) -> list[str]:
        """Send each school's digest due at `as_of` (of one LA's schools if named); returns
        the schools sent to now."""
        day = due_day(as_of)
        if day is None:
            return []
        start = datetime.combine(day, time(), UTC)
        async with self.kit.db.read() as conn:
            where = [captures.c.graded_at >= start,
                     captures.c.graded_at < start + timedelta(days=1),
                     captures.c.grade.in_(BELOW_URGENT)]
            if la_id is not None:
                where.append(captures.c.la_id == la_id)
            schools = sorted((await conn.execute(
                select(distinct(captures.c.school_id)).where(*where))).scalars())
            composed = [await compose(conn, school, day) for school in schools]
        sent = []
        for event in composed:
            outcome = await self.kit.bus.execute(
                digest, digest_id_of(event.school_id, day), SendDigest(event, as_of.date()),
                Metadata(school_id=event.school_id, occurred_at=as_of))
            if outcome.envelopes:
                sent.append(event.school_id)
        return sent

    def timer(self, seconds: float = EVERY_SECONDS) -> Job:
        return every(seconds, lambda: self.send_due(self.clock()), "send_periodically",
                     "sent the daily digest to %d schools", log)


async def list_digests(db: Database, q: ListDigests) -> DigestPage:
    where = digests.c.school_id == q.school_id
    async with db.read() as conn:
        total = (await conn.execute(select(func.count()).select_from(digests).where(where)))\
            .scalar_one()
        rows = await conn.execute(select(digests).where(where).order_by(digests.c.day.desc())
                                  .offset(q.offset).limit(q.limit))
        return DigestPage(items=[DigestView(**{**r._mapping, "sent_at": as_utc(r.sent_at)})
                                 for r in rows], total=total)
