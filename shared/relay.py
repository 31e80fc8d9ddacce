"""Relays the outbox to JetStream with `Nats-Msg-Id` = event id.

Crash safety: an event is marked published only after JetStream acknowledged it, so a crash
at any point re-sends at most what was in flight, and JetStream's duplicate window drops
those. Power-loss safety without `sync_interval: always`: JetStream acknowledges before it
fsyncs, so on start and on every reconnect the relay re-publishes what it published within
`republish_window` (longer than the server's sync interval); consumers are idempotent, so
a copy that JetStream did keep has no second effect.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from nats.js import JetStreamContext
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import Database, as_utc
from shared.events import now, stop_if_cancelled
from shared.eventstore import EventStore
from shared.gauges import Gauge, Reading
from shared.tables import dead_letters, events, outbox

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self, service: str, db: Database, store: EventStore, js: JetStreamContext, *,
        batch_size: int = 1000, republish_window: timedelta = timedelta(minutes=3),
        ack_timeout: float = 10.0,
    ) -> None:
        self.service, self.db, self.store, self.js = service, db, store, js
        self.batch_size = batch_size
        self.republish_window = republish_window
        self.ack_timeout = ack_timeout
        self.published_total = 0
        # Acknowledged ids not yet marked in the outbox: marking is batched because a re-send
        # after a crash is harmless (JetStream drops it), while a write per batch is not free.
        self._acked: list[int] = []
        self._cursor = 0
        self._lock = asyncio.Lock()  # recover() and the loop both move the cursor and marks

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished events; returns how many were acknowledged."""
        async with self._lock:
            return await self._publish_batch()

    async def _publish_batch(self) -> int:
        query = (
            select(outbox.c.id, outbox.c.subject, outbox.c.data, outbox.c.headers)
            .where(outbox.c.published_at.is_(None), outbox.c.id > self._cursor)
            .order_by(outbox.c.id)
            .limit(self.batch_size)
        )
        async with self.db.read() as conn:
            rows = list(await conn.execute(query))
        if not rows:
            await self.flush()
            # From the start again: on PostgreSQL a lower id can commit after a higher one
            # (ids are taken before commit), and the cursor must not skip it for good.
            self._cursor = 0
            return 0
        futures = []
        for row in rows:
            futures.append(await self.js.publish_async(row.subject, row.data,
                                                       headers=row.headers))
        done, late = await asyncio.wait(futures, timeout=self.ack_timeout)
        for future in late:
            future.cancel()
        # Only the acknowledged prefix counts: what follows a failure is sent again, so the
        # stream keeps the store's order (copies JetStream already holds are dropped by id).
        acked = []
        for row, future in zip(rows, futures, strict=True):
            if future not in done or future.cancelled() or future.exception() is not None:
                break
            acked.append(row.id)
        failed = len(rows) - len(acked)
        self._acked += acked
        self.published_total += len(acked)
        if failed:
            await self.flush()
            self._cursor = 0
            raise RuntimeError(f"{failed} of {len(rows)} publishes were not acknowledged")
        self._cursor = rows[-1].id
        if len(self._acked) >= 10 * self.batch_size:
            await self.flush()
            self._cursor = 0  # everything before is marked now; pick up late commits
        return len(acked)

    async def flush(self) -> None:
        """Mark acknowledged events as published."""
        if not self._acked:
            return
        acked, self._acked = self._acked, []
        async with self.db.begin() as conn:
            for i in range(0, len(acked), 5000):
                await conn.execute(update(outbox).where(outbox.c.id.in_(acked[i:i + 5000]))
                                   .values(published_at=now()))

    async def recover(self) -> int:
        """Queue recently published events again (see the module docstring)."""
        async with self._lock:
            return await self._recover()

    async def _recover(self) -> int:
        await self.flush()
        since = now() - self.republish_window
        async with self.db.begin() as conn:
            result = await conn.execute(
                update(outbox).where(outbox.c.published_at >= since).values(published_at=None)
            )
        self._cursor = 0
        self.store.appended.set()
        return int(result.rowcount or 0)

    async def prune(self) -> None:
        since = now() - self.republish_window
        async with self.db.begin() as conn:
            await conn.execute(delete(outbox).where(outbox.c.published_at < since))

    async def run(self) -> None:
        await self.recover()
        idle_rounds = 0
        while True:
            self.store.appended.clear()  # before reading, so no append goes unnoticed
            try:
                sent = await self.publish_pending()
            except Exception as exc:  # NATS down or slow: keep the rows, try again shortly
                stop_if_cancelled()
                log.warning("outbox relay: %s; retrying", exc)
                await asyncio.sleep(0.5)
                continue
            if sent:
                continue
            idle_rounds += 1
            if idle_rounds % 600 == 0:
                await self.prune()
            try:
                await asyncio.wait_for(self.store.appended.wait(), timeout=0.5)
            except TimeoutError:
                pass


async def _backlog(conn: AsyncConnection) -> list[Reading]:
    count = (await conn.execute(select(func.count()).select_from(outbox)
                                .where(outbox.c.published_at.is_(None)))).scalar_one()
    return [(float(count), {})]


async def _oldest_age(conn: AsyncConnection) -> list[Reading]:
    """Seconds since the oldest unpublished event was recorded (0 when none is waiting)."""
    oldest = (await conn.execute(
        select(func.min(events.c.occurred_at))
        .select_from(outbox.join(events, events.c.event_id == outbox.c.event_id))
        .where(outbox.c.published_at.is_(None)))).scalar_one()
    age = (now() - as_utc(oldest)).total_seconds() if oldest is not None else 0.0
    return [(max(age, 0.0), {})]


async def _parked(conn: AsyncConnection) -> list[Reading]:
    rows = await conn.execute(select(dead_letters.c.consumer, func.count())
                              .group_by(dead_letters.c.consumer))
    return [(float(n), {"consumer": consumer}) for consumer, n in rows]


# Every service has these (the kit adds them); a service declares its own in Wiring.gauges.
KIT_GAUGES = (
    Gauge("esafety.outbox.backlog", "events stored but not yet acknowledged by JetStream",
          _backlog),
    Gauge("esafety.outbox.oldest_age", "age of the oldest unpublished event", _oldest_age,
          unit="s"),
    Gauge("esafety.deadletters", "poison messages parked, per consumer", _parked),
)
