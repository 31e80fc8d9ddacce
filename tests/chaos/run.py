"""The chaos run: start the platform, set it up, send the load while the monkey kills
services and the broker, let it settle, stop it, verify, report."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.rpc import RpcClient
from tests.chaos.cluster import Cluster
from tests.chaos.load import Load, Plan, Sent
from tests.chaos.monkey import Faults, Monkey
from tests.chaos.redeliveries import Redeliveries
from tests.chaos.verify import Verdict, pending, verify
from tests.support.procs import eventually

log = logging.getLogger("chaos")


@dataclass(frozen=True)
class Options:
    items: int = 3000
    services: Sequence[str] = ("directory", "agreement", "capture", "incident")
    kills_per_service: int = 1
    keep_killing: bool = False  # after the schedule, until the load is done
    pause: tuple[float, float] = (2.0, 8.0)  # between faults
    seed: int = 7
    settle: float = 900.0  # for the read models to catch up after the load
    replay: bool = True


@dataclass
class Report:
    options: Options
    sent: Sent
    faults: Faults
    verdict: Verdict
    exit_codes: dict[str, int]
    seconds: float
    redelivered: int

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    def lines(self) -> list[str]:
        s, v, f = self.sent, self.verdict, self.faults
        kills = ", ".join(f"{k} {n}" for k, n in f.kills.items())
        parked = sum(v.parked.values())
        out = [
            f"chaos run: {self.options.items:,} entry-point items, seed {self.options.seed}, "
            f"{self.seconds:,.0f} s",
            f"faults: SIGKILL {kills}; nats-server SIGKILLed and restarted "
            f"{f.nats_restarts}x; {self.redelivered:,} redelivered messages answered "
            "(ack wait 2 s)",
            f"  events sent (accepted)  {s.total:>9,}  captures {len(s.captures):,}, claims "
            f"{s.claims:,}, grades {len(s.grades):,}, incidents {len(s.incidents):,}, people "
            f"{len(s.people):,}, signatures {len(s.signatures):,} "
            f"({s.retries:,} calls retried, {sum(s.rejected.values()):,} rejected)",
            f"  events stored           {v.stored:>9,}",
            f"  events applied          {v.applied:>9,}  (by {len(v.projections)} projections)",
            f"  lost                    {v.lost:>9,}  (entry points: {v.lost_at_entry})",
            f"  applied twice           {len(v.twice):>9,}",
            f"  parked as poison        {parked:>9,}",
        ]
        out += [f"    {n} x {why}" for why, n in v.parked.most_common()]
        out += [f"    rejected {n} x {why}" for why, n in s.rejected.most_common(5)]
        out += [f"    twice: {t}" for t in v.twice[:10]]
        out.append("read models against a fresh replay (handled / applied / parked / lost):")
        for p in v.projections:
            sums = {None: "no tables", True: "checksum equal", False: "CHECKSUM DIFFERS"}
            out.append(f"  {p.service:<10} {p.name:<24} {p.handled:>7,} {p.applied:>7,} "
                       f"{p.parked:>4} {p.lost:>4}  {sums[p.sums_equal]} {p.detail}")
        grown = {k: n for k, n in v.rebuild_appended.items() if n}
        if grown:
            out.append(f"  a rebuild appended events (a reaction not idempotent): {grown}")
        bad = {k: c for k, c in self.exit_codes.items() if c != 0}
        if bad:
            out.append(f"  exit codes on SIGTERM: {bad}")
        out.append("RESULT: " + ("PASS" if self.ok else "FAIL"))
        return out


async def _progress(load: Load, done: asyncio.Event) -> None:
    while not done.is_set():
        try:
            await asyncio.wait_for(done.wait(), 30.0)
        except TimeoutError:
            log.info("sent %d of %d (%d calls retried)", load.sent.total, load.plan.items,
                     load.sent.retries)


async def run(root: Path, options: Options) -> Report:
    started = time.monotonic()
    logging.getLogger("nats").setLevel(logging.CRITICAL)  # reconnect tracebacks while it is down
    cluster = Cluster(root, options.services)
    try:
        await cluster.start()
        nc = await cluster.connect()
        redeliveries = Redeliveries()
        await redeliveries.watch(nc)
        load = Load(RpcClient(nc, timeout=60), Plan(options.items), options.seed)
        await load.setup(options.services)
        done = asyncio.Event()
        monkey = Monkey(cluster, options.kills_per_service, options.seed, options.pause,
                        options.keep_killing)
        faults_task = asyncio.create_task(monkey.run(done))
        ticker = asyncio.create_task(_progress(load, done))
        try:
            sent = await load.run(options.services)
        except BaseException:  # Ctrl-C or a failure: stop injecting faults at once
            faults_task.cancel()
            raise
        finally:
            done.set()
            await ticker
        faults = await faults_task
        for name in options.services:  # each was started again after its last kill
            await cluster.ready(name)
        log.info("load done (%d sent); waiting for the read models", sent.total)
        try:
            # Twice: a reaction applied while the stores were being read appends events
            # the first look did not see yet.
            for _ in range(2):
                await eventually(lambda: pending(cluster), lambda n: n == 0,
                                 within=options.settle, interval=2.0)
                await asyncio.sleep(3.0)
        except AssertionError as exc:  # the verdict counts what never arrived as lost
            log.error("read models did not catch up: %s", exc)
        await nc.close()
        codes = await cluster.stop()
        verdict = await verify(cluster, sent, options.replay)
    finally:
        cluster.close()
    return Report(options, sent, faults, verdict, codes, time.monotonic() - started,
                  redeliveries.answered)
