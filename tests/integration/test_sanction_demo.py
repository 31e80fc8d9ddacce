"""The sanction and incident demos on top of the directory's and agreement's: both schools'
matrices, realistic incidents, one recommendation acted on at each school; idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nats
import pytest

from services.agreement.demo import load_demo as load_agreements
from services.agreement.handlers import build as build_agreement
from services.directory.demo import CALLER, PASSWORD_ENV
from services.directory.demo import load_demo as load_directory
from services.directory.handlers import build as build_directory
from services.incident.demo import load_demo as load_incidents
from services.incident.handlers import build as build_incident
from services.sanction.demo import load_demo as load_sanctions
from services.sanction.handlers import build as build_sanction
from shared.claims import Claims, Role
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually


async def test_the_demo_loads_matrices_and_incidents_once(
        fresh_nats: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "demo password for tests")
    settings = settings_for(fresh_nats.url, tmp_path)
    async with running("directory", build_directory, settings), \
            running("agreement", build_agreement, settings), \
            running("incident", build_incident, settings) as incident, \
            running("sanction", build_sanction, settings) as sanction:
        nc = await nats.connect(fresh_nats.url)
        try:
            rpc = RpcClient(nc, timeout=30)
            await load_directory(rpc, tmp_path)
            await load_agreements(rpc)
            await load_sanctions(rpc)
            await load_incidents(rpc)
            # Recommendations follow the classifications: 5 people at Oakridge, 3 at Glenfield.
            await eventually(lambda: sanction.kit.store.count(["SanctionRecommended"]),
                             lambda n: n == 8)
            stored = (await incident.kit.store.count(), await sanction.kit.store.count())
            await load_sanctions(rpc)
            await load_incidents(rpc)
            assert (await incident.kit.store.count(), await sanction.kit.store.count()) == stored

            async def call(service: str, name: str, **body: Any) -> Any:
                return await rpc.call(service, name, body, CALLER)

            oak = await call("sanction", "GetMatrix", school_id="oakridge", audience="pupil")
            glen = await call("sanction", "GetMatrix", school_id="glenfield", audience="staff")
            assert (len(oak["rows"]), oak["escalation"] is not None) == (12, True)
            assert (glen["escalation"], [a["key"] for a in glen["actions"]]) == (
                None, ["headteacher", "disciplinary", "ict_lead"])

            logs = {s: await eventually(
                lambda s=s: call("incident", "IncidentLog", school_id=s),  # type: ignore[misc]
                lambda page: page["total"] >= 3) for s in ("oakridge", "glenfield")}
            assert {i["incident_type"] for i in logs["oakridge"]["items"]} == {
                "proxy-sites", "social-media", "failing-to-report-offensive", "personal-use"}
            assert {i["category"] for i in logs["glenfield"]["items"]} == {
                "conduct", "commerce", "contact"}
            # A Glenfield teacher sees neither the child-protection incident nor Oakridge's.
            teacher = Claims(subject="glenfield-teacher1", school_id="glenfield", la_id="x",
                             roles=frozenset({Role.TEACHER}))
            seen = await rpc.call("incident", "IncidentLog", {"school_id": "glenfield"}, teacher)
            assert seen["total"] == 2 and not any(i["child_protection"] for i in seen["items"])

            [proxy] = [i for i in logs["oakridge"]["items"]
                       if i["incident_type"] == "proxy-sites"]
            [rec] = await eventually(lambda: call("sanction", "Recommendations",
                                                  school_id="oakridge",
                                                  incident_id=proxy["incident_id"]), bool)
            assert {a["action"]: a["status"] for a in rec["actions"]} == {
                "headteacher": "taken", "remove_access": "taken",
                "further_sanction": "recommended"}
            register = await eventually(
                lambda: call("agreement", "GetRegister", school_id="oakridge", limit=500),
                lambda page: any(r["person_id"] == "oakridge-p10" and r["status"] == "revoked"
                                 for r in page["items"]))
            [jack] = [r for r in register["items"] if r["person_id"] == "oakridge-p10"]
            assert jack["until"] and proxy["incident_id"] in jack["reason"]
        finally:
            await nc.close()
