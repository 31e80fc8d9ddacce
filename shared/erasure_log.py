"""The purge log: one row per erasure event (shared/content.py), what was removed from which
record, when and why. A service subclasses it with its durable name and its erasure types."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Index,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.content import Erasure
from shared.db import Database, as_utc, new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

purges = Table(
    "purge_log", metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("school_id", String(64), nullable=False),
    Column("record_id", String(128), nullable=False),
    Column("fields", JSON, nullable=False),
    Column("removed_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_purge_log_school", "school_id", "recorded_at"),
)


class ErasureLog(Projection):
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if isinstance(event, Erasure):
            await conn.execute(insert(purges).values(
                event_id=env.event_id, school_id=env.school_id, record_id=env.aggregate_id,
                fields=event.fields, removed_on=event.removed_on, reason=event.reason,
                recorded_at=env.occurred_at))


async def page(db: Database, school_id: str, offset: int,
               limit: int) -> tuple[list[dict[str, Any]], int]:
    """A school's purges, newest first, and how many there are."""
    where = purges.c.school_id == school_id
    async with db.read() as conn:
        total = (await conn.execute(select(func.count()).select_from(purges).where(where)))\
            .scalar_one()
        rows = await conn.execute(select(purges).where(where)
                                  .order_by(purges.c.recorded_at.desc(), purges.c.record_id)
                                  .offset(offset).limit(limit))
        return [{**r._mapping, "recorded_at": as_utc(r.recorded_at)} for r in rows], total
