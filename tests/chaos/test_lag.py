"""A stuck consumer does not hold back the others of its service, and its lag shows: in the
`health` RPC and in the heartbeat the readiness probe reads (`--max-lag`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import nats
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events import Envelope, Event
from shared.healthcheck import heartbeat_file, problem
from shared.natsserver import NatsServer
from shared.projection import Projection
from shared.rpc import RpcClient
from shared.service import Kit, Service, Wiring
from tests.support import tally
from tests.support.inprocess import settings_for
from tests.support.procs import eventually


class Stuck(Projection):
    """Fails while the thing it depends on is down (say, a mail server), then recovers."""

    name = "tally-stuck"
    sources = (tally.SERVICE,)
    handles = frozenset({tally.Tallied.type_name})
    metadata: ClassVar[MetaData] = MetaData()
    down = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if Stuck.down:
            raise RuntimeError("the dependency is down")


def build(kit: Kit) -> Wiring:
    return Wiring(rpc=tally.build(kit).rpc, projections=[tally.TallyView(), Stuck()])


async def test_stuck_consumer_lags_visibly_and_blocks_no_one(
        fresh_nats: NatsServer, tmp_path: Path, db_url: str) -> None:
    settings = settings_for(fresh_nats.url, tmp_path / "data", db_url)
    service = Service(tally.SERVICE, build, settings)
    stuck = next(r for r in service.runners if r.projection.name == Stuck.name)
    # Retried, not parked, for as long as the test keeps it down (the server's own limit
    # is set from this when the consumer is created).
    stuck.max_deliver, stuck.backoff = 1000, (1.0,)
    Stuck.down = True
    await service.start()
    nc = await nats.connect(fresh_nats.url)
    try:
        for aggregate in ("a", "b", "c"):
            await tally.append_tallies(service.kit.store, aggregate, 10)
        await eventually(lambda: tally.count(service.db), lambda n: n == 30, within=120)

        async def lag() -> dict[str, int]:
            health = await RpcClient(nc, timeout=10).call(tally.SERVICE, "health", {}, None)
            return dict(health["lag"])

        seen = await eventually(lag, lambda x: x[Stuck.name] == 30, within=120)
        assert seen["tally-view"] == 0
        beat = heartbeat_file(settings, tally.SERVICE)
        behind = f"consumers behind: {Stuck.name} by 30"  # and no other
        await eventually(lambda: _problem(beat, 10), lambda r: r == behind, within=120)

        Stuck.down = False
        await eventually(lambda: stuck.consumed(), lambda _: stuck.stats.applied == 30,
                         within=120)
        caught_up = await eventually(lag, lambda x: x[Stuck.name] == 0, within=60)
        assert caught_up["tally-view"] == 0
        assert await stuck.dead_letter_count() == 0
    finally:
        await nc.close()
        await service.stop()


async def _problem(beat: Path, max_lag: int) -> str | None:
    return problem(beat, max_lag=max_lag)
