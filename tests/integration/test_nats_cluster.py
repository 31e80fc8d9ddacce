"""A real 3-node NATS cluster on loopback (three nats-server processes from the wheel, with
routes; streams with 3 replicas): the platform's event flow (a kit service's outbox relay and
its durable consumer) loses nothing and keeps going when the node it is connected to is
SIGKILLed mid-stream, and the node catches up when it comes back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import StreamConfig, StreamInfo

from shared.natsserver import NatsServer, free_port
from shared.service import Service
from shared.settings import Settings
from shared.streams import events_stream
from tests.support import tally
from tests.support.inprocess import running
from tests.support.procs import eventually

STREAM = events_stream(tally.SERVICE)


@dataclass
class Cluster:
    nodes: list[NatsServer]

    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.nodes]

    def node_at(self, port: int) -> NatsServer:
        (node,) = [n for n in self.nodes if n.port == port]
        return node


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    ports = [(free_port(), free_port()) for _ in range(3)]
    routes = ", ".join(f"nats://127.0.0.1:{route}" for _, route in ports)
    nodes = [NatsServer(store_dir=tmp_path / f"n{i}", port=client, extra_config=(
        f"cluster {{\n  name: esafety-test\n  listen: 127.0.0.1:{route}\n"
        f"  routes: [{routes}]\n}}\n")) for i, (client, route) in enumerate(ports)]
    # Together: one node alone has no JetStream quorum, so it would never report ready.
    await asyncio.gather(*(asyncio.to_thread(n.start, 30.0) for n in nodes))
    try:
        yield Cluster(nodes)
    finally:
        for node in nodes:
            node.stop()


async def stream_info(nc: Client) -> StreamInfo | None:
    try:
        return await nc.jetstream().stream_info(STREAM)
    except Exception:  # no leader for a moment while the cluster elects one
        return None


def replicas_current(info: StreamInfo | None, expected: int) -> bool:
    """A leader and `expected - 1` followers, all current and without lag."""
    if info is None or info.cluster is None or info.cluster.leader is None:
        return False
    followers = info.cluster.replicas or []
    return len(followers) == expected - 1 and all(
        p.current and not p.offline and not p.lag for p in followers)


async def test_a_node_killed_mid_stream_loses_nothing_and_catches_up(
        cluster: Cluster, tmp_path: Path) -> None:
    # One seed URL, as NATS_URL names one Service in Kubernetes: the client learns the other
    # servers from the cluster and fails over to them.
    settings = Settings(nats_url=cluster.urls[0], data_dir=tmp_path / "data", stream_replicas=3)
    observer = await nats.connect(servers=cluster.urls)
    try:
        await eventually(lambda: _r3_placeable(observer), lambda ok: ok, within=60)
        async with running(tally.SERVICE, tally.build, settings) as svc:
            info = await eventually(lambda: stream_info(observer),
                                    lambda i: replicas_current(i, 3), within=60)
            assert info is not None and info.config.num_replicas == 3
            await _flow(svc, cluster, observer)
    finally:
        await observer.close()


async def _flow(svc: Service, cluster: Cluster, observer: Client) -> None:
    stored: list[str] = []

    async def append(rounds: int) -> None:
        for _ in range(rounds):
            envs = await tally.append_tallies(svc.kit.store, f"agg-{len(stored) % 7}", 10)
            stored.extend(str(e.event_id) for e in envs)
            await asyncio.sleep(0.01)

    async def projected() -> int:
        rows, _ = await tally.snapshot(svc.db)
        return len(rows)

    await append(30)
    await eventually(projected, lambda n: n >= 100)  # flowing through the cluster
    assert svc.nc is not None and svc.nc.connected_url is not None
    victim = cluster.node_at(int(svc.nc.connected_url.port or 0))
    writer = asyncio.create_task(append(70))  # the flow goes on while the node dies
    await asyncio.sleep(0.1)
    victim.kill()
    await writer
    await eventually(projected, lambda n: n >= len(stored), within=90)

    rows, totals = await tally.snapshot(svc.db)
    assert sorted(str(r[0]) for r in rows) == sorted(stored)  # none lost, none extra
    assert sum(t[1] for t in totals) == len(stored) == 1000  # none applied twice
    # The cluster sees a replica away, and still has every event on the other two.
    degraded = await eventually(lambda: stream_info(observer),
                                lambda i: i is not None and not replicas_current(i, 3))
    assert degraded is not None and degraded.state.messages == len(stored)

    victim.restart(timeout=30)
    caught_up = await eventually(lambda: stream_info(observer),
                                 lambda i: replicas_current(i, 3), within=90)
    assert caught_up is not None and caught_up.state.messages == len(stored)
    # The flow goes on with all three.
    await append(5)
    await eventually(projected, lambda n: n == len(stored) == 1050)


async def _r3_placeable(nc: Client) -> bool:
    """The cluster can place a 3-replica stream: a meta leader and all three peers online."""
    js = nc.jetstream()
    try:
        await js.add_stream(StreamConfig(name="PROBE", subjects=["probe.>"], num_replicas=3))
        await js.delete_stream("PROBE")
        return True
    except Exception:  # no meta leader yet, or a peer not yet seen online
        return False
