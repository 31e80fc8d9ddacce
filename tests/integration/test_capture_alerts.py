"""Alerts, with the directory and capture services in process on a private NATS: roles come
from the directory's events, an urgent grade raises an alert addressed to the school's DSL, it
is acknowledged once, and an unacknowledged one escalates when overdue (controllable clock)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import nats
import pytest

from services.capture.handlers import build
from services.directory.handlers import build as build_directory
from shared.claims import Claims, Role, system_claims
from shared.errors import DomainError, Forbidden, InvalidInput
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.service import Service
from tests.integration.test_capture_service import (
    ADMIN,
    DSL_A,
    DSL_B,
    KEY_A,
    LA,
    MOD1,
    PHRASES,
    PNG,
    T0,
    TEACHER_A,
    A,
    B,
    Clock,
    item,
    person,
)
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually

SYSTEM = system_claims(LA)
HEAD_A = person("a-head", A, Role.HEADTEACHER)


@dataclass
class Env:
    capture: Service
    rpc: RpcClient
    clock: Clock

    async def call(self, name: str, caller: Claims, **body: Any) -> Any:
        return await self.rpc.call("capture", name, body, caller)

    async def alerts(self, caller: Claims = DSL_A, **q: Any) -> list[dict[str, Any]]:
        return list((await self.call("ListAlerts", caller, school_id=A, **q))["items"])

    async def applied(self, projection: str) -> int:
        [runner] = [r for r in self.capture.runners if r.projection.name == projection]
        return runner.stats.applied

    async def urgent_capture(self, pid: str) -> str:
        done = await self.call("IngestCaptures", KEY_A, school_id=A, captures=[
            item(pid, screenshot=base64.b64encode(PNG).decode())])
        cid = str(done["results"][0]["capture_id"])
        await eventually(lambda: self.call("ListQueue", MOD1),
                         lambda q: cid in {c["capture_id"] for c in q["items"]})
        await self.call("ClaimCapture", MOD1, school_id=A, capture_id=cid)
        await self.call("GradeCapture", MOD1, school_id=A, capture_id=cid,
                        grade="urgent_child_protection", notes="disclosure: call the DSL now")
        return cid


async def seed_directory(rpc: RpcClient) -> None:
    async def directory(rpc_name: str, **body: Any) -> None:
        await rpc.call("directory", rpc_name, body, SYSTEM)

    await directory("EstablishAuthority", la_id=LA, name="Testshire")
    for school, urn in ((A, "100001"), (B, "100002")):
        await directory("OnboardSchool", school_id=school, la_id=LA, name=school, urn=urn,
                        phase="primary")
    for school, pid, given, role in ((A, "a-dsl", "Dana", "dsl"),
                                     (A, "a-head", "Hal", "headteacher"),
                                     (A, "a-teacher", "Tess", "teacher"),
                                     (B, "b-dsl", "Bea", "dsl")):
        await directory("EnrolPerson", school_id=school, person_id=pid, kind="staff",
                        given_name=given, family_name="Smith", email=f"{pid}@example.org")
        await directory("AssignRole", school_id=school, person_id=pid, role=role)


@pytest.fixture
async def env(db_url: str, fresh_nats: NatsServer, tmp_path: Path) -> AsyncIterator[Env]:
    clock = Clock()
    async with running("directory", build_directory,
                       settings_for(fresh_nats.url, tmp_path / "dir")) as _, \
            running("capture", partial(build, clock=clock),
                    settings_for(fresh_nats.url, tmp_path / "cap", db_url)) as capture:
        nc = await nats.connect(fresh_nats.url)
        try:
            e = Env(capture, RpcClient(nc), clock)
            await e.call("AddLibraryPhrases", ADMIN, phrases=PHRASES)
            await seed_directory(e.rpc)
            await eventually(lambda: e.applied("capture-staff"), lambda n: n == 8)
            yield e
        finally:
            await nc.close()


class TestAlerts:
    async def test_an_urgent_grade_alerts_the_schools_dsl(self, env: Env) -> None:
        cid = await env.urgent_capture("u1")
        [alert] = await eventually(env.alerts, lambda a: len(a) == 1)
        assert (alert["capture_id"], alert["school_id"], alert["la_id"], alert["grade"],
                alert["urgent"], alert["status"]) == (
            cid, A, LA, "urgent_child_protection", True, "open")
        assert [(r["person_id"], r["role"], r["name"]) for r in alert["recipients"]] == [
            ("a-dsl", "dsl", "Dana Smith")]
        assert alert["acknowledge_by"].startswith((T0 + timedelta(minutes=15)).isoformat()[:16])
        # The LA sees it too; other schools and non-safeguarding staff do not.
        assert len(await env.alerts(ADMIN)) == 1
        for outsider in (DSL_B, TEACHER_A):
            with pytest.raises(Forbidden):
                await env.alerts(outsider)

    async def test_acknowledged_once_and_the_unacknowledged_escalate(self, env: Env) -> None:
        await env.urgent_capture("u1")
        await env.urgent_capture("u2")
        raised = await eventually(env.alerts, lambda a: len(a) == 2)
        first, second = sorted(raised, key=lambda a: str(a["capture_id"]))
        env.clock.now = T0 + timedelta(minutes=5)
        await env.call("AcknowledgeAlert", DSL_A, school_id=A, alert_id=first["alert_id"],
                       note="spoke to the pupil; parents called")
        with pytest.raises(InvalidInput, match="already acknowledged by a-dsl"):
            await env.call("AcknowledgeAlert", HEAD_A, school_id=A, alert_id=first["alert_id"])
        with pytest.raises(DomainError):  # not this school's alert
            await env.rpc.call("capture", "AcknowledgeAlert",
                               {"school_id": B, "alert_id": first["alert_id"]}, DSL_B)
        await eventually(lambda: env.alerts(status="acknowledged"), lambda a: len(a) == 1)

        env.clock.now = T0 + timedelta(minutes=14)
        assert (await env.call("EscalateOverdueAlerts", ADMIN))["escalated"] == []
        env.clock.now = T0 + timedelta(minutes=16)
        done = await env.call("EscalateOverdueAlerts", ADMIN)
        assert done["escalated"] == [second["alert_id"]]
        assert (await env.call("EscalateOverdueAlerts", ADMIN))["escalated"] == []

        by_id = {a["alert_id"]: a for a in await eventually(
            env.alerts, lambda a: any(x["escalated_at"] for x in a))}
        acked, overdue = by_id[first["alert_id"]], by_id[second["alert_id"]]
        assert (acked["status"], acked["acknowledged_by"], acked["acknowledgement_note"],
                acked["escalated_at"]) == ("acknowledged", "a-dsl",
                                           "spoke to the pupil; parents called", None)
        assert overdue["status"] == "open" and overdue["escalated_to"] == [
            "headteacher", "la", "a-head"]

    async def test_a_school_sets_its_own_deadline(self, env: Env) -> None:
        with pytest.raises(Forbidden):
            await env.call("SetAlertDeadline", TEACHER_A, school_id=A, minutes=5)
        await env.call("SetAlertDeadline", HEAD_A, school_id=A, minutes=5)
        await env.urgent_capture("u1")
        [alert] = await eventually(env.alerts, lambda a: len(a) == 1)
        assert alert["acknowledge_by"].startswith((T0 + timedelta(minutes=5)).isoformat()[:16])
        env.clock.now = T0 + timedelta(minutes=6)
        with pytest.raises(InvalidInput, match="ahead of time"):
            await env.call("EscalateOverdueAlerts", ADMIN,
                           as_of=(T0 + timedelta(hours=1)).isoformat())
        assert (await env.call("EscalateOverdueAlerts", ADMIN))["escalated"] == [
            alert["alert_id"]]
