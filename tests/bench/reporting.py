"""Rebuild rate (issue 9): the reporting service's fact table replayed from JetStream, in events
per second, over the generated data set (`tests/bench/dataset.py`). Figures only.

`python -m tests.bench.reporting --schools 400 --captures 1000000` alone; `make bench` runs it
on the data set it generated for the platform figures.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import nats

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.reporting.handlers import build
from services.reporting.projections import Facts
from shared.natsserver import NatsServer
from shared.projection import rebuild
from shared.registry import registry
from shared.replay import chain, count_jetstream, replay_jetstream
from shared.service import Service
from shared.settings import Settings
from shared.tables import kit_metadata
from tests.bench.dataset import publish


async def measure_rebuild(url: str, data: Path) -> dict[str, float]:
    """Replay every event the facts read (the data set must be published already)."""
    service = Service("reporting", build, Settings(nats_url=url, data_dir=data))
    await service.db.create_all(kit_metadata, *(p.metadata for p in service.wiring.projections))
    nc = await nats.connect(url)
    js = nc.jetstream()
    projection = Facts()
    types = sorted(projection.handles)
    count = sum([await count_jetstream(js, s, types) for s in projection.sources])
    try:
        started = time.perf_counter()
        await rebuild(service.db, projection, registry,
                      chain(*(replay_jetstream(js, s, types) for s in projection.sources)), count)
        took = time.perf_counter() - started
    finally:
        await nc.close()
        await service.db.dispose()
    return {"events": count, "rebuild": count / took}


async def main(schools: int, captures: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, NatsServer(Path(tmp) / "nats") as server:
        await publish(server.url, schools, captures)
        f = await measure_rebuild(server.url, Path(tmp) / "data")
    print(f"Reporting facts rebuilt from JetStream ({schools} schools, {captures:,} captures, "
          f"{f['events']:,.0f} events): {f['rebuild']:,.0f} events/s (aim: 20,000)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=400)
    parser.add_argument("--captures", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(main(args.schools, args.captures))
