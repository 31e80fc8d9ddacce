"""Reporting figures (issue 6): the full rebuild of the report facts from JetStream (events/s)
and the monthly report of one school from the facts (p95). Figures only, nothing asserted.

`python -m tests.bench.reporting --schools 400 --captures 1000000` is the issue's scale (three
events per capture: received, triaged, graded); the default is a tenth of it.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import nats

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.capture.domain.events import (
    CaptureModerated,
    CaptureReceived,
    CaptureTriaged,
    Category,
    Grade,
    Priority,
)
from services.directory.domain.events import Phase, SchoolOnboarded
from services.reporting import queries
from services.reporting.domain import periods
from services.reporting.domain.monthly import monthly
from services.reporting.handlers import build
from services.reporting.projections import Facts
from shared.events import Envelope, Event
from shared.natsserver import NatsServer
from shared.projection import rebuild
from shared.registry import registry
from shared.replay import chain, count_jetstream, replay_jetstream
from shared.service import Service
from shared.settings import Settings
from shared.streams import declare_service_streams, event_subject
from shared.tables import kit_metadata

START = datetime(2026, 1, 1, tzinfo=UTC)
CATEGORIES = [c for c in Category if c is not Category.UNCLASSIFIED]


def env(agg: str, event: Event, school: str, at: datetime, version: int) -> Envelope:
    return Envelope.model_construct(
        event_id=uuid4(), type=event.type_name, schema_version=1, school_id=school,
        aggregate_type="capture", aggregate_id=agg, aggregate_version=version, occurred_at=at,
        correlation_id=uuid4(), causation_id=None, payload=event.model_dump(mode="json"),
        trace={})


def events_of(i: int, school: str, rng: random.Random) -> list[Envelope]:
    cid, at = f"c{i}", START + timedelta(seconds=rng.randrange(300 * 86400))
    return [env(cid, CaptureReceived(capture_id=cid, school_id=school, la_id="la", product="p",
                                     product_capture_id=cid, captured_at=at, machine="m",
                                     username="u", trigger="t"), school, at, 1),
            env(cid, CaptureTriaged(capture_id=cid, category=rng.choice(CATEGORIES),
                                    severity=rng.randint(1, 5), priority=Priority.NORMAL),
                school, at, 2),
            env(cid, CaptureModerated(capture_id=cid, grade=rng.choice(list(Grade)), notes="",
                                      moderator="m"), school, at + timedelta(minutes=30), 3)]


async def publish(url: str, schools: list[str], captures: int) -> int:
    nc = await nats.connect(url)
    js = nc.jetstream()
    for service in ("directory", "agreement", "capture", "incident"):
        await declare_service_streams(js, service)
    rng, sent = random.Random(6), 0
    batch = [env(s, SchoolOnboarded(school_id=s, la_id="la", name=s, urn="1",
                                    phase=Phase.PRIMARY), s, START, 1) for s in schools]
    for s_env in batch:
        await js.publish(event_subject("directory", s_env), s_env.model_dump_json().encode())
    for start in range(0, captures, 2000):
        futures = [js.publish_async(event_subject("capture", e), e.model_dump_json().encode())
                   for i in range(start, min(start + 2000, captures))
                   for e in events_of(i, schools[i % len(schools)], rng)]
        await asyncio.gather(*futures)
        sent += len(futures)
    await nc.close()
    return sent + len(schools)


async def measure_reporting(url: str, data: Path, schools: int = 400,
                            captures: int = 100_000, reports: int = 100) -> dict[str, float]:
    names = [f"school-{i:03d}" for i in range(schools)]
    total = await publish(url, names, captures)
    service = Service("reporting", build, Settings(nats_url=url, data_dir=data))
    await service.db.create_all(kit_metadata, *(p.metadata for p in service.wiring.projections))
    nc = await nats.connect(url)
    js = nc.jetstream()
    projection = Facts()
    types = sorted(projection.handles)
    count = sum([await count_jetstream(js, s) for s in projection.sources])
    started = time.perf_counter()
    await rebuild(service.db, projection, registry,
                  chain(*(replay_jetstream(js, s, types) for s in projection.sources)), count)
    rate = total / (time.perf_counter() - started)
    await nc.close()
    rng, took = random.Random(7), []
    at = START + timedelta(days=330)
    for _ in range(reports):
        school, month = rng.choice(names), f"2026-{rng.randint(1, 10):02d}"
        t0 = time.perf_counter()
        ledger = await queries.school_as_of(service.db, school, at)
        monthly(ledger, periods.month(month), at, await queries.names(service.db, school))
        took.append(time.perf_counter() - t0)
    await service.db.dispose()
    took.sort()
    return {"events": total, "rebuild": rate, "p50_ms": 1000 * took[len(took) // 2],
            "p95_ms": 1000 * took[int(len(took) * 0.95) - 1]}


async def main(schools: int, captures: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = NatsServer(Path(tmp) / "nats")
        server.start()
        try:
            f = await measure_reporting(server.url, Path(tmp) / "data", schools, captures)
        finally:
            server.stop()
    print(f"\nReporting ({schools} schools, {captures:,} captures, {f['events']:,.0f} events)")
    print(f"  rebuild from JetStream         {f['rebuild']:>9,.0f} /s  (aim: 20,000)")
    print(f"  monthly report, p50            {f['p50_ms']:>9,.1f} ms")
    print(f"  monthly report, p95            {f['p95_ms']:>9,.1f} ms  (aim: 200)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=400)
    parser.add_argument("--captures", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(main(args.schools, args.captures))
