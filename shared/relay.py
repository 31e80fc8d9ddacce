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
import json
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import Database, as_utc
from shared.events import now, stop_if_cancelled, wait_set
from shared.eventstore import EventStore
from shared.gauges import Gauge, Reading
from shared.tables import dead_letters, events, outbox

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self, service: str, db: Database, store: EventStore, js: JetStreamContext, *,
        batch_size: int = 1000, republish_window: timedelta = timedelta(minutes=3),
        ack_timeout: float = 10.0, flush_every: float = 1.0,
    ) -> None:
        self.service, self.db, self.store, self.js = service, db, store, js
        self.batch_size = batch_size
        self.republish_window = republish_window
        self.ack_timeout = ack_timeout
        self.flush_every = flush_every  # idle: mark what was acknowledged at most this often
        self._flushed_at = 0.0
        self.published_total = 0
        # Acknowledged ids not yet marked in the outbox: marking is batched because a re-send
        # after a crash is harmless (JetStream drops it), while a write per batch is not free.
        self._acked: list[int] = []
        # Every id acknowledged and not yet marked (in `_acked` or being marked): read again
        # from the start, these are skipped rather than sent twice.
        self._marking: set[int] = set()
        # Marking runs beside the publishing: waiting for SQLite's write lock behind the
        # ingest batches, it held back the next event (an urgent alert) for that long.
        self._marker: asyncio.Task[None] | None = None
        self._cursor = 0
        self._publisher = _Publisher(js._nc)  # nats-py keeps no public handle on it
        self._lock = asyncio.Lock()  # recover() and the loop both move the cursor and marks

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished events; returns how many were acknowledged."""
        async with self._lock:
            return await self._publish_batch()

    async def _unsent(self) -> list[Row[Any]]:
        """The next unpublished rows after the cursor, past those only waiting to be marked
        (their ids are read to skip them, not their data)."""
        unpublished = outbox.c.published_at.is_(None)
        while True:
            async with self.db.read() as conn:
                if self._marking and self._cursor < max(self._marking):
                    ids = list((await conn.execute(
                        select(outbox.c.id).where(unpublished, outbox.c.id > self._cursor)
                        .order_by(outbox.c.id).limit(self.batch_size))).scalars())
                    first = next((i for i in ids if i not in self._marking), None)
                    if first is None:
                        if not ids:
                            return []
                        self._cursor = ids[-1]
                        continue
                    self._cursor = first - 1
                rows = list(await conn.execute(
                    select(outbox.c.id, outbox.c.subject, outbox.c.data, outbox.c.headers)
                    .where(unpublished, outbox.c.id > self._cursor)
                    .order_by(outbox.c.id).limit(self.batch_size)))
            unsent = [row for row in rows if row.id not in self._marking]
            if unsent or not rows:
                return unsent
            self._cursor = rows[-1].id

    async def _publish_batch(self) -> int:
        rows = await self._unsent()
        if not rows:
            if self._acked and time.monotonic() - self._flushed_at < self.flush_every:
                # Marking now would take the database's write lock just when the transaction
                # that follows an event (a reaction, the next command) wants it; soon is enough.
                return 0
            if self._acked:
                if self._marker is not None and not self._marker.done():
                    return 0  # the marking before is still waiting for the write lock
                self._marker = asyncio.create_task(self._mark(), name=f"{self.service}-marks")
            # From the start again: on PostgreSQL a lower id can commit after a higher one
            # (ids are taken before commit), and the cursor must not skip it for good.
            self._cursor = 0
            return 0
        # Only the acknowledged prefix counts: what follows a failure is sent again, so the
        # stream keeps the store's order (copies JetStream already holds are dropped by id).
        stored = await self._publisher.publish(rows, self.ack_timeout)
        acked = [row.id for row in rows[:stored]]
        failed = len(rows) - len(acked)
        self._acked += acked
        self._marking.update(acked)
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
        self._flushed_at = time.monotonic()
        if not self._acked:
            return
        acked, self._acked = self._acked, []
        try:
            async with self.db.begin() as conn:
                for i in range(0, len(acked), 5000):
                    await conn.execute(update(outbox).where(outbox.c.id.in_(acked[i:i + 5000]))
                                       .values(published_at=now()))
        finally:
            # Not marked (the write failed): read again, sent again, dropped by JetStream.
            self._marking.difference_update(acked)

    async def _mark(self) -> None:
        try:
            await self.flush()
        except Exception as exc:
            stop_if_cancelled()
            log.warning("outbox relay: marking published: %s; they are sent again", exc)

    async def _marked(self) -> None:
        """Wait for the marking under way (recover() must not be overtaken by it)."""
        if self._marker is not None:
            await asyncio.wait([self._marker])

    async def recover(self) -> int:
        """Queue recently published events again (see the module docstring)."""
        async with self._lock:
            return await self._recover()

    async def _recover(self) -> int:
        await self._marked()
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
        try:
            await self._run()
        finally:
            if self._marker is not None:
                self._marker.cancel()

    async def _run(self) -> None:
        await self.recover()
        idle_rounds = 0
        while True:
            stop_if_cancelled()  # a library call may have returned through our cancellation
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
            await wait_set(self.store.appended, 0.5)


class _Publisher:
    """Publishes a batch to JetStream and counts the acknowledgements on one reply
    subscription (nats-py's `publish_async` spends a future, a semaphore turn and two random
    tokens on every message: a tenth of the ingest path's time)."""

    def __init__(self, nc: Client) -> None:
        self.nc = nc
        self._prefix = ""
        self._batch = 0
        self._stored: list[bool | None] = []
        self._waiting = 0
        self._all_in = asyncio.Event()

    async def publish(self, rows: Sequence[Row[Any]], patience: float) -> int:
        """How many of `rows`, from the first, JetStream acknowledged as stored."""
        if not self._prefix:
            self._prefix = self.nc.new_inbox()
            await self.nc.subscribe(f"{self._prefix}.>", cb=self._reply)
        self._batch += 1  # a late reply to an earlier batch is told apart and ignored
        self._stored, self._waiting = [None] * len(rows), len(rows)
        self._all_in.clear()
        for i, row in enumerate(rows):
            await self.nc.publish(row.subject, row.data, reply=f"{self._prefix}.{self._batch}.{i}",
                                  headers=row.headers)
        await wait_set(self._all_in, patience)
        return next((i for i, ok in enumerate(self._stored) if not ok), len(rows))

    async def _reply(self, msg: Msg) -> None:
        batch, index = msg.subject.rsplit(".", 2)[1:]
        if int(batch) != self._batch or self._stored[int(index)] is not None:
            return
        self._stored[int(index)] = _acknowledged(msg)
        self._waiting -= 1
        if self._waiting == 0:
            self._all_in.set()


def _acknowledged(msg: Msg) -> bool:
    """A JetStream PubAck (`{"stream": …, "seq": …}`), not an error nor a status (503: no
    stream listens on the subject)."""
    if msg.headers and msg.headers.get("Status"):
        return False
    try:
        reply = json.loads(msg.data)
    except ValueError:
        return False
    return isinstance(reply, dict) and "error" not in reply and "seq" in reply


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
