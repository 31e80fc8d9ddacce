"""The directory's roster sync and API keys on each database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nats
import pytest

from services.directory.handlers import build
from services.directory.integrations.contracts import SyncReport
from shared.claims import Claims, Role, Scope, system_claims
from shared.errors import Forbidden, Unauthenticated
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from tests.bench.roster import measure_roster
from tests.support.inprocess import running, settings_for

LA, SCHOOL = "rostershire", "roster-primary"
ADMIN = system_claims(LA)


def pupil(mis: str, **extra: Any) -> dict[str, Any]:
    return {"mis_id": mis, "kind": "pupil", "given_name": "A", "family_name": mis,
            "year_group": 3, **extra}


async def test_sync_and_keys(fresh_nats: NatsServer, tmp_path: Path, db_url: str) -> None:
    settings = settings_for(fresh_nats.url, tmp_path, db_url)
    async with running("directory", build, settings) as service:
        nc = await nats.connect(fresh_nats.url)
        rpc = RpcClient(nc)

        async def call(rpc_name: str, caller: Claims | None = ADMIN, **body: Any) -> Any:
            return await rpc.call("directory", rpc_name, body, caller)

        async def sync(caller: Claims, mode: str, *rows: dict[str, Any]) -> SyncReport:
            return SyncReport.model_validate(await call(
                "SyncRoster", caller, school_id=SCHOOL, mode=mode, people=list(rows)))

        try:
            await call("EstablishAuthority", la_id=LA, name="Rostershire")
            await call("OnboardSchool", school_id=SCHOOL, la_id=LA, name="Roster Primary",
                       urn="100010", phase="primary")
            expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
            issued = await call("IssueApiKey", school_id=SCHOOL, name="MIS",
                                scopes=["roster:write"], expires_at=expires)
            verified = await call("VerifyApiKey", None, key=issued["secret"])
            key = Claims.model_validate(verified["claims"])
            assert key.roles == {Role.INTEGRATOR} and key.scopes == {Scope.ROSTER_WRITE}
            assert (key.school_id, key.la_id) == (SCHOOL, LA)
            await call("VerifyApiKey", None, key=issued["secret"])
            [listed] = await call("ListApiKeys", school_id=SCHOOL)
            assert listed["uses"] == 2

            first = await sync(key, "full", pupil("M1"), pupil("M2"))
            assert (first.created, first.rejected) == (["M1", "M2"], [])
            events = await service.kit.store.count()
            again = await sync(key, "full", pupil("M1"), pupil("M2"))
            assert again.unchanged == ["M1", "M2"] and await service.kit.store.count() == events
            last = await sync(key, "full", pupil("M1", class_name="3B"))
            assert (last.updated, last.left) == (["M1"], ["M2"])
            with pytest.raises(Forbidden):
                await call("SyncRoster", key, school_id="elsewhere", people=[])

            await call("RevokeApiKey", school_id=SCHOOL, key_id=issued["key_id"])
            with pytest.raises(Unauthenticated, match="revoked"):
                await call("VerifyApiKey", None, key=issued["secret"])
        finally:
            await nc.close()


async def test_the_roster_bench_runs(fresh_nats: NatsServer, tmp_path: Path) -> None:
    """`make bench`'s roster figures, on a small roster, so the bench cannot rot unseen."""
    rates = await measure_roster(fresh_nats.url, tmp_path, n=300)
    assert set(rates) == {"created", "created_and_projected", "unchanged"}
    assert all(rate > 0 for rate in rates.values())
