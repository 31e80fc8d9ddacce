"""Crash safety with real processes, SIGKILL, and a real NATS server.

7. A service killed after committing events and before publishing them publishes them after
   restart: none lost, none doubled.
8. A consumer killed mid-batch resumes; its read model then equals a fresh replay.
9. nats-server SIGKILLed while events flow and restarted: every event the store reported as
   stored reaches the read model exactly once.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from sqlalchemy import func, select

from shared.claims import system_claims
from shared.db import Database
from shared.errors import DomainError
from shared.eventstore import EventStore
from shared.natsserver import NatsServer
from shared.projection import rebuild
from shared.registry import registry
from shared.rpc import RpcClient
from shared.settings import Settings
from shared.streams import events_stream
from shared.tables import events, kit_metadata, outbox
from tests.support import tally
from tests.support.procs import ROOT, ServiceProcess, eventually

TALLY = ROOT / "tests" / "support" / "tally.py"


class Slice:
    """A tally service process plus direct access to its database, for one test."""

    def __init__(self, nats_server: NatsServer, tmp_path: Path) -> None:
        self.nats = nats_server
        # A short ack wait so a killed consumer's batch comes back quickly.
        self.env = {"NATS_URL": nats_server.url, "ESAFETY_DATA_DIR": str(tmp_path / "data"),
                    "ESAFETY_ACK_WAIT_SECONDS": "2"}
        self.settings = Settings(nats_url=nats_server.url, data_dir=tmp_path / "data")
        self.db = Database(self.settings.database_url_for("tally"))
        self.store = EventStore(self.db, "tally")
        self.log = tmp_path / "tally.log"

    def process(self, **extra_env: str) -> ServiceProcess:
        return ServiceProcess(TALLY, ["serve"], {**self.env, **extra_env}, self.log)

    async def rows(self) -> int:
        return await tally.count(self.db)

    async def health(self) -> object:
        nc = await nats.connect(self.nats.url)
        try:
            return await RpcClient(nc, timeout=2).call("tally", "health", {}, None)
        finally:
            await nc.close()


@pytest.fixture
async def slice_(fresh_nats: NatsServer, tmp_path: Path) -> AsyncIterator[Slice]:
    s = Slice(fresh_nats, tmp_path)
    await s.db.create_all(kit_metadata, tally.metadata)
    yield s
    await s.db.dispose()


async def wait_ready(s: Slice) -> None:
    async def probe() -> bool:
        try:
            await s.health()
            return True
        except DomainError:
            return False

    await eventually(probe, bool, within=120)  # a cold start on a loaded machine


class TestServiceCrash:
    async def test_killed_after_commit_before_publish(self, slice_: Slice) -> None:
        crashing = slice_.process(ESAFETY_CRASH_AT="after_append_commit")
        crashing.start()
        await wait_ready(slice_)
        nc = await nats.connect(slice_.nats.url)
        with pytest.raises(DomainError):  # the service dies before it can answer
            await RpcClient(nc, timeout=3).call(
                "tally", "Append", {"aggregate_id": "a", "count": 40}, system_claims("la"))
        assert crashing.proc is not None and crashing.proc.wait(10) == -9
        async with slice_.db.read() as conn:
            stored = (await conn.execute(select(func.count()).select_from(events))).scalar()
            unsent = (await conn.execute(select(func.count()).select_from(outbox).where(
                outbox.c.published_at.is_(None)))).scalar()
        assert stored == 40 and unsent == 40
        stream = (await nc.jetstream().stream_info(events_stream("tally"))).state.messages
        assert stream == 0

        restarted = slice_.process()
        restarted.start()
        try:
            await eventually(slice_.rows, lambda n: n == 40)
            # Kill and restart once more: the relay re-publishes its recent events on start;
            # JetStream's duplicate window and the consumer's records keep them single.
            restarted.kill()
            restarted.start()
            await wait_ready(slice_)
            await asyncio.sleep(1.5)
        finally:
            restarted.stop()
        _, totals = await tally.snapshot(slice_.db)
        assert totals == [("a", 40, sum(range(1, 41)))]
        assert (await nc.jetstream().stream_info(events_stream("tally"))).state.messages == 40
        await nc.close()


class TestConsumerCrash:
    async def test_killed_mid_batch_then_equal_to_a_fresh_replay(self, slice_: Slice) -> None:
        total = 20_000
        for agg in ("a", "b", "c", "d"):
            await tally.append_tallies(slice_.store, agg, total // 4)
        proc = slice_.process()
        proc.start()
        # Bounds for a loaded 2-core machine: a cold start (imports, migrations) alone has
        # taken over 30 s there, and the whole replay several times its idle 40 s.
        at_kill = await eventually(slice_.rows, lambda n: n > 0, within=180, interval=0.01)
        proc.kill()
        assert at_kill < total, "the consumer finished before it could be killed"
        proc.start()
        try:
            await eventually(slice_.rows, lambda n: n == total, within=600, interval=0.5)
        finally:
            assert proc.stop() == 0
        live = await tally.snapshot(slice_.db)
        assert sorted(t[1] for t in live[1]) == [total // 4] * 4  # nothing applied twice
        await rebuild(slice_.db, tally.TallyView(), registry, slice_.store.read_all(), total)
        assert await tally.snapshot(slice_.db) == live


class TestBrokerCrash:
    async def test_nats_killed_while_events_flow(self, slice_: Slice) -> None:
        proc = slice_.process()
        proc.start()
        stored: list[str] = []
        try:
            await wait_ready(slice_)
            for i in range(60):
                if i == 20:
                    slice_.nats.kill()
                if i == 40:
                    slice_.nats.restart()
                envs = await tally.append_tallies(slice_.store, f"agg{i % 3}", 25)
                stored += [str(e.event_id) for e in envs]
                await asyncio.sleep(0.03)
            await eventually(slice_.rows, lambda n: n >= len(stored), within=120)
        finally:
            assert proc.stop() == 0
        rows, totals = await tally.snapshot(slice_.db)
        assert sorted(str(r[0]) for r in rows) == sorted(stored)  # none lost, none extra
        assert sum(t[1] for t in totals) == len(stored) == 1500  # none applied twice


class TestHealthProbe:
    async def test_probe_follows_the_process_and_its_broker(self, slice_: Slice) -> None:
        proc = slice_.process()
        proc.start()

        def probe() -> int:
            return subprocess.run([sys.executable, "-m", "shared.healthcheck", "tally"],
                                  env={**os.environ, **slice_.env}, cwd=ROOT,
                                  capture_output=True).returncode

        async def verdict() -> int:
            return await asyncio.to_thread(probe)

        try:
            await eventually(verdict, lambda code: code == 0)
            slice_.nats.kill()
            await eventually(verdict, lambda code: code == 1)  # NATS is not connected
            slice_.nats.restart()
            await eventually(verdict, lambda code: code == 0)
        finally:
            proc.stop()
