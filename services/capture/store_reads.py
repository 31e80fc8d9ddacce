"""Batch reads of the service's own event store that the kit's EventStore does not offer
(one query for a whole ingest batch instead of one per capture)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, tuple_

from shared.db import Database
from shared.tables import events


async def existing(db: Database, aggregate_type: str, ids: Sequence[str]) -> set[str]:
    """Which of these aggregates already have events."""
    if not ids:
        return set()
    query = select(events.c.aggregate_id).distinct().where(
        events.c.aggregate_type == aggregate_type, events.c.aggregate_id.in_(ids))
    async with db.read() as conn:
        return set((await conn.execute(query)).scalars())


async def versions(db: Database, streams: Sequence[tuple[str, str]]) -> tuple[int, ...]:
    """The current version of each (aggregate type, id), 0 for a stream with no events."""
    query = (select(events.c.aggregate_type, events.c.aggregate_id, func.max(events.c.version))
             .where(tuple_(events.c.aggregate_type, events.c.aggregate_id).in_(streams))
             .group_by(events.c.aggregate_type, events.c.aggregate_id))
    async with db.read() as conn:
        found = {(t, i): v for t, i, v in await conn.execute(query)}
    return tuple(found.get(s, 0) for s in streams)
