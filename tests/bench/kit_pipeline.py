"""The kit's append -> publish -> project rate, end to end on a real NATS and SQLite.

A service in this process appends events in batches (one transaction each), its outbox relay
publishes them to JetStream, and its durable consumer projects them into a table. The rate
is events fully projected per second of wall time, from the first append.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.claims import Claims
from shared.events import Envelope, Event, Metadata
from shared.eventstore import NewEvents
from shared.projection import Projection
from shared.registry import registry
from shared.rpc import RpcRouter
from shared.service import Kit, Service, Wiring
from shared.settings import Settings


@registry.register
class BenchRecorded(Event):
    type_name = "BenchRecorded"
    n: int
    text: str


metadata = MetaData()
recorded = Table("bench_recorded", metadata,
                 Column("event_id", Uuid, primary_key=True),
                 Column("n", Integer, nullable=False),
                 Column("text", String, nullable=False))


class BenchView(Projection):
    name = "bench-view"
    sources = ("bench",)
    handles = frozenset({BenchRecorded.type_name})
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        await self.apply_batch(conn, [(env, event)])

    async def apply_batch(self, conn: AsyncConnection,
                          items: Sequence[tuple[Envelope, Event]]) -> None:
        rows = [{"event_id": env.event_id, "n": ev.n, "text": ev.text}
                for env, ev in items if isinstance(ev, BenchRecorded)]
        await conn.execute(insert(recorded), rows)


def build(_: Kit) -> Wiring:
    router = RpcRouter("bench")

    @router.handler("noop")
    async def noop(_: Metadata, __: Claims) -> None:
        return None

    return Wiring(rpc=router, projections=[BenchView()])


def sample_envelope_size(text_len: int) -> int:
    event = BenchRecorded(n=1, text="x" * text_len)
    from uuid import uuid4

    from shared.events import now
    env = Envelope(event_id=uuid4(), type=event.type_name, schema_version=1, school_id="oakridge",
                   aggregate_type="bench", aggregate_id="agg-0000", aggregate_version=1,
                   occurred_at=now(), correlation_id=uuid4(), payload=event.model_dump(),
                   trace={})
    return len(env.model_dump_json())


async def measure_kit(nats_url: str, data_dir: Path, n: int = 20000, batch: int = 500,
                      text_len: int = 400) -> dict[str, float]:
    service = Service("bench", build, Settings(nats_url=nats_url, data_dir=data_dir))
    await service.start()
    runner = service.runners[0]
    try:
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            events = [BenchRecorded(n=i + k, text="x" * text_len) for k in range(batch)]
            await service.kit.store.append(NewEvents("bench", f"agg-{i // batch:04d}", 0, events,
                                                     Metadata(school_id="oakridge")))
        appended = time.perf_counter() - t0
        while runner.stats.applied < n:  # noqa: ASYNC110 - polling a counter is the measurement
            await asyncio.sleep(0.01)
        total = time.perf_counter() - t0
    finally:
        await service.stop()
    return {"append": n / appended, "append_publish_project": n / total}
