"""The compliance demo on the directory's (real NATS + SQLite): the staff replica, both
schools' training registers, a week of filtering summaries, and reminders sent once; a second
load changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nats
import pytest

from services.compliance.demo import load_demo as load_compliance
from services.compliance.handlers import build as build_compliance
from services.directory.demo import CALLER, PASSWORD_ENV
from services.directory.demo import load_demo as load_directory
from services.directory.handlers import build as build_directory
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually


async def test_the_demo_loads_training_filtering_and_reminders_once(
        fresh_nats: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "demo password for tests")
    settings = settings_for(fresh_nats.url, tmp_path)
    async with running("directory", build_directory, settings), \
            running("compliance", build_compliance, settings) as compliance:
        nc = await nats.connect(fresh_nats.url)
        try:
            rpc = RpcClient(nc, timeout=30)

            async def call(name: str, **body: Any) -> Any:
                return await rpc.call("compliance", name, body, CALLER)

            await load_directory(rpc, tmp_path)
            await load_compliance(rpc)
            overdue = await eventually(lambda: call("TrainingStatus", school_id="glenfield",
                                                    overdue_only=True),
                                       lambda found: len(found) >= 2)
            assert {(s["person_id"], s["reason"] is not None) for s in overdue} == {
                ("glenfield-teacher1", True), ("glenfield-teacher2", True)}
            assert (await call("TrainingStatus", school_id="oakridge", overdue_only=True)) == []
            la = {s["school_id"]: s for s in await call("LaStandards")}
            assert (la["glenfield"]["training_overdue"], la["oakridge"]["training_overdue"]) \
                == (2, 0)
            summaries = await eventually(lambda: call("ListFilteringSummaries",
                                                      school_id="glenfield"),
                                         lambda page: page["total"] == 7)
            assert {s["product"] for s in summaries["items"]} == {"netsweeper"}

            # Oakridge: the e-safety co-ordinator's refresher is due within the month; the
            # head and the co-ordinator hear of it (Emma Perkin holds both the role and the due).
            reminders = await eventually(lambda: call("ListReminders", school_id="oakridge"),
                                         lambda found: len(found) >= 1)
            assert [(r["subject"], r["about"], r["overdue"]) for r in reminders] == [
                ("training", "Emma Perkin", False)]
            assert sorted(reminders[0]["recipients"]) == ["Emma Perkin", "Helen Whitmore"]
            glenfield = {(r["subject"], r["about"])
                         for r in await call("ListReminders", school_id="glenfield")}
            assert {("policy_review", "Glenfield Primary School Online Safety Policy"),
                    ("training", "Ben Carver"), ("training", "Hannah Lewis")} <= glenfield

            stored = await compliance.kit.store.count()
            await load_compliance(rpc)
            assert await compliance.kit.store.count() == stored
        finally:
            await nc.close()
