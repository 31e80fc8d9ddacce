"""The roster sync's rate: 10,000 people through NATS RPC into the directory, on SQLite.

Runs the directory service in this process and sends the roster the way the gateway does
(`services.gateway.roster.sync`, in requests of 1,000 rows). Figures: people per second for
the first sync (all created), the same roster again (all unchanged), and until the read model
shows them all.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import nats
from sqlalchemy import func, select

from services.directory.handlers import build
from services.directory.integrations.contracts import SyncMode
from services.directory.projections import people
from services.gateway.roster.sync import Roster, sync
from shared.claims import system_claims
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings

LA, SCHOOL = "bench-la", "bench-school"


def roster(n: int) -> list[dict[str, Any]]:
    staff, parents = n // 14, n // 8
    rows: list[dict[str, Any]] = [
        {"mis_id": f"P{i}", "kind": "pupil", "given_name": "Pupil", "family_name": f"N{i}",
         "year_group": i % 7, "class_name": f"{i % 7}{'ABC'[i % 3]}",
         "date_of_birth": f"{2014 + i % 7}-0{1 + i % 9}-1{i % 10}"}
        for i in range(n - staff - parents)]
    rows += [{"mis_id": f"T{i}", "kind": "staff", "given_name": "Staff", "family_name": f"N{i}",
              "roles": ["teacher"]} for i in range(staff)]
    rows += [{"mis_id": f"G{i}", "kind": "parent", "given_name": "Parent", "family_name": f"N{i}",
              "guardian_of": [f"P{i}"]} for i in range(parents)]
    return rows


async def measure_roster(nats_url: str, data_dir: Path, n: int = 10_000) -> dict[str, float]:
    service = Service("directory", build, Settings(nats_url=nats_url, data_dir=data_dir))
    await service.start()
    nc = await nats.connect(nats_url)
    rpc = RpcClient(nc, timeout=120)
    caller = system_claims(LA)

    async def call(svc: str, name: str, body: dict[str, Any]) -> Any:
        return await rpc.call(svc, name, body, caller)

    try:
        await call("directory", "EstablishAuthority", {"la_id": LA, "name": "Bench"})
        await call("directory", "OnboardSchool", {"school_id": SCHOOL, "la_id": LA,
                                                  "name": "Bench", "urn": "999999",
                                                  "phase": "primary"})
        rows = roster(n)
        batch = Roster(SCHOOL, SyncMode.FULL, rows, [f"people[{i}]" for i in range(n)])
        t0 = time.perf_counter()
        first = await sync(call, batch)
        created = time.perf_counter() - t0
        while await _projected(service) < n:  # noqa: ASYNC110 - polling is the measurement
            await asyncio.sleep(0.05)
        projected = time.perf_counter() - t0
        t1 = time.perf_counter()
        second = await sync(call, batch)
        unchanged = time.perf_counter() - t1
        assert len(first.created) == n and len(second.unchanged) == n, (first, second)
    finally:
        await nc.close()
        await service.stop()
    return {"created": n / created, "created_and_projected": n / projected,
            "unchanged": n / unchanged}


async def _projected(service: Service) -> int:
    async with service.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(people).where(
            people.c.school_id == SCHOOL))).scalar_one())


if __name__ == "__main__":
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from shared.natsserver import NatsServer

    async def main() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            server = NatsServer(Path(tmp) / "nats")
            server.start()
            try:
                print(await measure_roster(server.url, Path(tmp) / "data"))
            finally:
                server.stop()

    asyncio.run(main())
