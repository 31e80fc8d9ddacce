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
from sqlalchemy import delete, select, update

from shared.db import Database
from shared.events import now
from shared.eventstore import EventStore, to_envelope
from shared.streams import event_subject
from shared.tables import events, outbox

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

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished events; returns how many were acknowledged."""
        query = (
            select(outbox.c.id, events)
            .join(events, events.c.event_id == outbox.c.event_id)
            .where(outbox.c.published_at.is_(None))
            .order_by(outbox.c.id)
            .limit(self.batch_size)
        )
        async with self.db.read() as conn:
            rows = list(await conn.execute(query))
        if not rows:
            return 0
        futures = []
        for row in rows:
            env = to_envelope(row)
            headers = {"Nats-Msg-Id": str(env.event_id), **env.trace}
            futures.append(await self.js.publish_async(
                event_subject(self.service, env), env.model_dump_json().encode(), headers=headers
            ))
        results = await asyncio.wait_for(
            asyncio.gather(*futures, return_exceptions=True), self.ack_timeout
        )
        acked = [row.id for row, res in zip(rows, results, strict=True)
                 if not isinstance(res, BaseException)]
        if acked:
            async with self.db.begin() as conn:
                await conn.execute(
                    update(outbox).where(outbox.c.id.in_(acked)).values(published_at=now())
                )
        self.published_total += len(acked)
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            raise RuntimeError(f"{len(failed)} publishes failed, first: {failed[0]!r}")
        return len(acked)

    async def recover(self) -> int:
        """Queue recently published events again (see the module docstring)."""
        since = now() - self.republish_window
        async with self.db.begin() as conn:
            result = await conn.execute(
                update(outbox).where(outbox.c.published_at >= since).values(published_at=None)
            )
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
