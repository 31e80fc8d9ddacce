"""The agreement demo on top of the directory's demo: texts, signatures, every state, idempotent."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import nats
import pytest

from services.agreement.demo import load_demo as load_agreements
from services.agreement.handlers import build as build_agreement
from services.directory.demo import CALLER, PASSWORD_ENV
from services.directory.demo import load_demo as load_directory
from services.directory.handlers import build as build_directory
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually


async def test_the_demo_loads_both_schools_agreements_once(
        fresh_nats: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "demo password for tests")
    settings = settings_for(fresh_nats.url, tmp_path)
    async with running("directory", build_directory, settings), \
            running("agreement", build_agreement, settings) as agreement:
        nc = await nats.connect(fresh_nats.url)
        try:
            rpc = RpcClient(nc, timeout=30)
            await load_directory(rpc, tmp_path)
            await load_agreements(rpc)
            stored = await agreement.kit.store.count()
            await load_agreements(rpc)
            assert await agreement.kit.store.count() == stored

            async def call(name: str, **body: object) -> list[dict[str, object]]:
                found = await rpc.call("agreement", name, body, CALLER)
                items = found["items"] if isinstance(found, dict) else found
                assert isinstance(items, list)
                return items

            staff_aup = await rpc.call("agreement", "GetVersion", {
                "school_id": "glenfield", "template_id": "glenfield.staff", "version": 1}, CALLER)
            assert "Note: All Internet and email activity is subject to monitoring" \
                in staff_aup["text"]
            for school in ("oakridge", "glenfield"):
                await eventually(partial(call, "GetRegister", school_id=school, limit=500),
                                 lambda rows: {"granted", "none"} <= {r["status"] for r in rows})
                assert await call("ListOutstanding", school_id=school)
            await eventually(
                lambda: call("GetHistory", school_id="oakridge", person_id="oakridge-p01"),
                lambda history: "withdrawn" in [h["entry"] for h in history])
        finally:
            await nc.close()
