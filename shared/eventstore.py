"""The event store: append with optimistic concurrency, load a stream, read everything in order.

Appending also writes the outbox in the same transaction, so an event that is stored is
always, eventually, published (rules 1-3 in the README's guarantees).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from opentelemetry import propagate
from sqlalchemy import Row, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared import content
from shared.db import Database, as_utc
from shared.errors import ConcurrencyError
from shared.events import Envelope, Event, Metadata, now
from shared.faults import crash_point
from shared.projection import Projection, apply_new
from shared.streams import event_subject
from shared.tables import events, outbox

CHUNK = 500  # ids per query: well inside SQLite's and asyncpg's parameter limits


@dataclass(frozen=True)
class NewEvents:
    """Events for one aggregate, to be appended after `expected_version`."""

    aggregate_type: str
    aggregate_id: str
    expected_version: int
    events: Sequence[Event]
    meta: Metadata

    @property
    def stream(self) -> str:
        return f"{self.aggregate_type}-{self.aggregate_id}"


class EventStore:
    def __init__(self, db: Database, service: str) -> None:
        self.db, self.service = db, service
        # Set whenever something was appended: wakes the outbox relay at once.
        self.appended = asyncio.Event()
        # The service's inline projections (`Projection.inline`), applied with each append.
        self.inline: Sequence[Projection] = ()

    async def append(self, *batches: NewEvents, keep: Sequence[content.Erasable] = (),
                     urgent: bool = False) -> list[Envelope]:
        """`keep`: the erasable text the events refer to, written in the same transaction.
        `urgent`: a command someone waits for (see `Database.begin`)."""
        async with self.db.begin(urgent=urgent) as conn:
            await content.keep_in(conn, keep)
            envelopes = await self.append_in(conn, *batches)
        crash_point("after_append_commit")
        self.appended.set()
        return envelopes

    async def append_in(self, conn: AsyncConnection, *batches: NewEvents) -> list[Envelope]:
        """Append inside the caller's transaction (for reactions that must be atomic)."""
        current = await versions_in(conn, [(b.aggregate_type, b.aggregate_id) for b in batches])
        trace: dict[str, str] = {}
        propagate.inject(trace)  # once: every batch here is appended by the same command
        ids = _event_ids(sum(len(b.events) for b in batches))
        envelopes = [env for batch in batches
                     for env in self._envelopes(batch, current[(batch.aggregate_type,
                                                                batch.aggregate_id)], trace, ids)]
        if not envelopes:
            return []
        try:
            await conn.execute(insert(events), [_row(env) for env in envelopes])
            await conn.execute(insert(outbox), [self._message(e) for e in envelopes])
        except IntegrityError as exc:
            # Two writers raced past the version check: the unique key decides.
            first = batches[0]
            raise ConcurrencyError(first.stream, first.expected_version) from exc
        appended = [ev for batch in batches for ev in batch.events]
        # An erasure event and the deletion it records commit together (shared/content.py).
        await content.erase_in(conn, appended)
        for projection in self.inline:
            await apply_new(conn, projection, [
                (env, ev) for env, ev in zip(envelopes, appended, strict=True)
                if env.type in projection.handles])
        return envelopes

    def _envelopes(self, batch: NewEvents, current: int, trace: dict[str, str],
                   ids: Iterator[UUID]) -> list[Envelope]:
        if current != batch.expected_version:
            raise ConcurrencyError(batch.stream, batch.expected_version, current)
        at = batch.meta.occurred_at or now()
        # model_construct: every field is built here from validated parts, so skip re-validation.
        return [
            Envelope.model_construct(
                event_id=next(ids), type=ev.type_name, schema_version=ev.schema_version,
                school_id=batch.meta.school_id, aggregate_type=batch.aggregate_type,
                aggregate_id=batch.aggregate_id, aggregate_version=current + i,
                occurred_at=at, correlation_id=batch.meta.correlation_id,
                causation_id=batch.meta.causation_id, payload=ev.model_dump(mode="json"),
                trace=trace,
            )
            for i, ev in enumerate(batch.events, start=1)
        ]

    def _message(self, env: Envelope) -> dict[str, Any]:
        return {"event_id": env.event_id, "subject": event_subject(self.service, env),
                "data": env.model_dump_json().encode(),
                "headers": {"Nats-Msg-Id": str(env.event_id), **env.trace}}

    async def load(self, aggregate_type: str, aggregate_id: str) -> list[Envelope]:
        async with self.db.read() as conn:
            return await load_in(conn, aggregate_type, aggregate_id)

    async def load_many(self, aggregate_type: str,
                        ids: Sequence[str]) -> dict[str, list[Envelope]]:
        """Many streams of one type in a few queries (an empty list for a new one)."""
        found: dict[str, list[Envelope]] = {i: [] for i in ids}
        unique = sorted(found)
        async with self.db.read() as conn:
            for i in range(0, len(unique), CHUNK):
                rows = await conn.execute(
                    select(events).where(events.c.aggregate_type == aggregate_type,
                                         events.c.aggregate_id.in_(unique[i:i + CHUNK]))
                    .order_by(events.c.aggregate_id, events.c.version))
                for row in rows:
                    found[row.aggregate_id].append(to_envelope(row))
        return found

    async def versions(self, streams: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Current version of each (aggregate type, id); 0 for a stream with no events."""
        async with self.db.read() as conn:
            return await versions_in(conn, streams)

    async def count(self, types: Sequence[str] | None = None) -> int:
        query = select(func.count()).select_from(events)
        if types is not None:
            query = query.where(events.c.type.in_(types))
        async with self.db.read() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def read_all(
        self, batch_size: int = 500, types: Sequence[str] | None = None
    ) -> AsyncIterator[list[Envelope]]:
        """Every event in store order, in batches (for replays)."""
        after = 0
        while True:
            query = select(events).where(events.c.position > after)
            if types is not None:
                query = query.where(events.c.type.in_(types))
            query = query.order_by(events.c.position).limit(batch_size)
            async with self.db.read() as conn:
                rows = list(await conn.execute(query))
            if not rows:
                return
            after = rows[-1].position
            yield [to_envelope(r) for r in rows]


async def load_in(conn: AsyncConnection, aggregate_type: str,
                  aggregate_id: str) -> list[Envelope]:
    """One stream, read inside the caller's transaction (reactions decide on what they read)."""
    query = (select(events)
             .where(events.c.aggregate_type == aggregate_type,
                    events.c.aggregate_id == aggregate_id)
             .order_by(events.c.version))
    return [to_envelope(r) for r in await conn.execute(query)]


async def versions_in(conn: AsyncConnection,
                      streams: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """One query per aggregate type and chunk, not one per stream (a batch of a thousand
    captures is a thousand streams)."""
    by_type: dict[str, set[str]] = {}
    for aggregate_type, aggregate_id in streams:
        by_type.setdefault(aggregate_type, set()).add(aggregate_id)
    found = dict.fromkeys(streams, 0)
    for aggregate_type, id_set in by_type.items():
        ids = sorted(id_set)
        for i in range(0, len(ids), CHUNK):
            query = (select(events.c.aggregate_id, func.max(events.c.version))
                     .where(events.c.aggregate_type == aggregate_type,
                            events.c.aggregate_id.in_(ids[i:i + CHUNK]))
                     .group_by(events.c.aggregate_id))
            for aggregate_id, version in await conn.execute(query):
                found[(aggregate_type, aggregate_id)] = int(version)
    return found


def _event_ids(n: int) -> Iterator[UUID]:
    """`n` random (version 4) UUIDs, from one read of the OS's randomness rather than n."""
    random = os.urandom(16 * n)
    return (UUID(bytes=random[i:i + 16], version=4) for i in range(0, 16 * n, 16))


def _row(env: Envelope) -> dict[str, Any]:
    return {
        "event_id": env.event_id, "aggregate_type": env.aggregate_type,
        "aggregate_id": env.aggregate_id, "version": env.aggregate_version, "type": env.type,
        "schema_version": env.schema_version, "school_id": env.school_id,
        "occurred_at": env.occurred_at, "correlation_id": env.correlation_id,
        "causation_id": env.causation_id, "payload": env.payload, "trace": env.trace,
    }


def to_envelope(row: Row[Any]) -> Envelope:
    return Envelope(
        event_id=row.event_id, type=row.type, schema_version=row.schema_version,
        school_id=row.school_id, aggregate_type=row.aggregate_type,
        aggregate_id=row.aggregate_id, aggregate_version=row.version,
        occurred_at=as_utc(row.occurred_at), correlation_id=row.correlation_id,
        causation_id=row.causation_id, payload=row.payload, trace=row.trace,
    )
