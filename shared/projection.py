"""Projections: read models (or reactions) fed by events, rebuildable by replay.

A projection owns its tables (`metadata`) and applies one event at a time inside a
transaction the kit opens; the kit records the event id in the same transaction, so a
redelivered event has no second effect. A reaction is a projection without tables that
appends events (`EventStore.append_in`) in that same transaction.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from typing import ClassVar, TypeVar

from sqlalchemy import MetaData, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import Database
from shared.events import Envelope, Event
from shared.registry import EventRegistry
from shared.tables import processed_events

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
T = TypeVar("T")


class Projection(ABC):
    name: ClassVar[str]
    """Durable consumer name; also the key of its processed-event records."""
    sources: ClassVar[tuple[str, ...]]
    """Services whose event streams it reads."""
    handles: ClassVar[frozenset[str]]
    """Event types it applies; others are acknowledged and skipped."""
    metadata: ClassVar[MetaData] = MetaData()
    """Tables it owns: dropped and recreated by a rebuild."""
    urgent: ClassVar[bool] = False
    """A reaction someone is waiting for (raising an alert): its few small transactions go
    before the bulk writes queued for SQLite's write lock (`Database.begin`)."""
    inline: ClassVar[bool] = False
    """A read model of the service's own events only, applied by the event store in the
    transaction that appends them (`EventStore.append_in`) instead of by a JetStream
    consumer: what a command wrote is readable when it answers, and the hot path (a batch
    of captures into the moderation queue) skips a publish-pull-ack round trip per event.
    Its event ids are recorded as any projection's, so it can be turned off without a
    rebuild; a failing `apply` fails the command, so keep it to plain row writes."""

    @abstractmethod
    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None: ...

    def committed(self) -> None:
        """Called by the consumer after a transaction that applied events of this projection
        committed (e.g. to wake a task that acts on what `apply` wrote); not on a rebuild."""
        return None

    async def apply_batch(self, conn: AsyncConnection,
                          items: Sequence[tuple[Envelope, Event]]) -> None:
        """Apply new events in order; override to write a whole batch in fewer statements."""
        for env, event in items:
            await self.apply(conn, env, event)


async def apply_new(conn: AsyncConnection, projection: Projection,
                    items: Sequence[tuple[Envelope, Event]]) -> int:
    """Apply the events this projection has not applied yet, recording their ids in the same
    transaction; returns how many were new."""
    if not items:
        return 0
    ids = [env.event_id for env, _ in items]
    seen = set((await conn.execute(
        select(processed_events.c.event_id).where(
            processed_events.c.consumer == projection.name, processed_events.c.event_id.in_(ids)
        )
    )).scalars())
    fresh: list[tuple[Envelope, Event]] = []
    for env, event in items:
        if env.event_id not in seen:
            seen.add(env.event_id)  # a duplicate inside one batch counts once too
            fresh.append((env, event))
    if fresh:
        await projection.apply_batch(conn, fresh)
        await conn.execute(insert(processed_events),
                           [{"consumer": projection.name, "event_id": e.event_id}
                            for e, _ in fresh])
    return len(fresh)


def decoded(projection: Projection, registry: EventRegistry,
            batch: Sequence[Envelope]) -> list[tuple[Envelope, Event]]:
    """The events of `batch` this projection handles, decoded (upcast) to their models."""
    return [(env, registry.decode(env)) for env in batch if env.type in projection.handles]


async def rebuild(
    db: Database, projection: Projection, registry: EventRegistry,
    source: AsyncIterator[list[Envelope]], total: int, progress: Progress | None = None,
) -> int:
    """Drop the projection's tables, then replay `source` into them (run it with the
    service's consumers stopped). Returns the number of events applied."""
    await db.drop_tables(projection.metadata)
    await db.create_all(projection.metadata)
    async with db.begin() as conn:
        await conn.execute(delete(processed_events).where(
            processed_events.c.consumer == projection.name))
    return await catch_up(db, projection, registry, source, total, progress)


async def catch_up(
    db: Database, projection: Projection, registry: EventRegistry,
    source: AsyncIterator[list[Envelope]], total: int = 0, progress: Progress | None = None,
) -> int:
    """Apply what `source` holds that the projection has not applied yet, a transaction per
    batch; returns how many events were applied now."""
    done = applied = 0
    async for batch in prefetched(source):
        async with db.begin() as conn:
            applied += await apply_new(conn, projection, decoded(projection, registry, batch))
        done += len(batch)
        if progress:
            progress(done, total)
    return applied


async def prefetched(source: AsyncIterator[T], depth: int = 2) -> AsyncGenerator[T, None]:
    """`source`'s items, read ahead by a task: the next batches arrive and are parsed while
    the database writes this one (a replay waited on each in turn). A reader that stops
    early closes the source (a replay then removes its consumer)."""
    ahead: asyncio.Queue[tuple[bool, T | BaseException | None]] = asyncio.Queue(depth)

    async def read() -> None:
        try:
            async for item in source:
                await ahead.put((True, item))
            await ahead.put((False, None))
        except Exception as exc:  # handed to the reader, raised there
            await ahead.put((False, exc))
        finally:
            if isinstance(source, AsyncGenerator):
                await source.aclose()

    task = asyncio.create_task(read())
    try:
        while True:
            more, item = await ahead.get()
            if not more:
                if isinstance(item, BaseException):
                    raise item
                return
            yield item  # type: ignore[misc]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def log_progress(name: str) -> Progress:
    def report(done: int, total: int) -> None:
        pct = 100.0 * done / total if total else 100.0
        log.info("rebuilding %s: %d/%d events (%.0f%%)", name, done, total, pct)

    return report
