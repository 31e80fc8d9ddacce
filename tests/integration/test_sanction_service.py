"""The sanction service with the directory, incident and agreement services, in process, on a
private NATS: classifying an incident recommends the matrix's row for each person involved,
repeat infringements escalate, overrides need a reason, actions set their effects going (a
task, the agreement service's revocation, a referral), and redelivered events add nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import nats
import pytest
from nats.aio.client import Client

from services.agreement.handlers import build as build_agreement
from services.capture.domain.events import CaptureModerated, CaptureReceived, Grade
from services.directory.handlers import build as build_directory
from services.incident.handlers import build as build_incident
from services.sanction.demo import policy
from services.sanction.handlers import build as build_sanction
from shared.claims import Claims, Role, system_claims
from shared.errors import AlreadyExists, Forbidden, InvalidInput, NotFound
from shared.events import Envelope, Event, now
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.service import Service
from shared.streams import declare_service_streams
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually

LA, A, B = "testshire", "oakridge", "glenfield"
AT = "2026-10-05T10:30:00+00:00"


def claims(subject: str, role: Role, school: str = A) -> Claims:
    return Claims(subject=subject, school_id=school, la_id=LA, roles=frozenset({role}))


TEACHER, DSL, HEAD = claims("t1", Role.TEACHER), claims("dsl", Role.DSL), claims(
    "head", Role.HEADTEACHER)
COORDINATOR, TECH = claims("esc", Role.ESAFETY_COORDINATOR), claims("tech", Role.TECHNICIAN)
HEAD_B = claims("b-head", Role.HEADTEACHER, B)
STAFF = {"t1": TEACHER, "dsl": DSL, "head": HEAD, "esc": COORDINATOR, "tech": TECH}


@dataclass
class Platform:
    incident: Service
    sanction: Service
    rpc: RpcClient
    nc: Client

    async def inc(self, name: str, caller: Claims, **body: Any) -> Any:
        return await self.rpc.call("incident", name, {"school_id": A, **body}, caller)

    async def san(self, name: str, caller: Claims, **body: Any) -> Any:
        return await self.rpc.call("sanction", name, {"school_id": A, **body}, caller)

    async def report(self, *people: tuple[str, str], incident_type: str | None = None,
                     came_to_light: str = "staff") -> str:
        done = await self.inc("ReportIncident", TEACHER, occurred_at=AT,
                              description="something happened", came_to_light=came_to_light,
                              involved=[{"kind": k, "person_id": p} for k, p in people])
        iid = str(done["incident_id"])
        if incident_type:
            await self.inc("ClassifyIncident", DSL if came_to_light != "complaint" else HEAD,
                           incident_id=iid, category="conduct", incident_type=incident_type)
        return iid

    async def recommendations(self, iid: str, caller: Claims = DSL,
                              count: int = 1) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await eventually(
            lambda: self.san("Recommendations", caller, incident_id=iid),
            lambda r: len(r) == count)
        return found

    def runner(self, service: Service, projection: str) -> Any:
        [runner] = [r for r in service.runners if r.projection.name == projection]
        return runner


@pytest.fixture
async def platform(fresh_nats: NatsServer, tmp_path: Path,
                   db_url: str) -> AsyncIterator[Platform]:
    # The sanction service on the backend under test; the others on SQLite files of their own.
    async with running("directory", build_directory,
                       settings_for(fresh_nats.url, tmp_path / "dir")) as _, \
            running("agreement", build_agreement,
                    settings_for(fresh_nats.url, tmp_path / "agr")) as _, \
            running("incident", build_incident,
                    settings_for(fresh_nats.url, tmp_path / "inc")) as incident, \
            running("sanction", build_sanction,
                    settings_for(fresh_nats.url, tmp_path / "san", db_url)) as sanction:
        nc = await nats.connect(fresh_nats.url)
        try:
            platform = Platform(incident, sanction, RpcClient(nc), nc)
            await seed(platform)
            yield platform
        finally:
            await nc.close()


async def seed(p: Platform) -> None:
    async def directory(rpc_name: str, **body: Any) -> None:
        await p.rpc.call("directory", rpc_name, body, system_claims(LA))

    await directory("EstablishAuthority", la_id=LA, name="Testshire")
    for school, urn in ((A, "100001"), (B, "100002")):
        await directory("OnboardSchool", school_id=school, la_id=LA, name=school, urn=urn,
                        phase="primary")
    for pid, as_claims in STAFF.items():
        await directory("EnrolPerson", school_id=A, person_id=pid, kind="staff",
                        given_name=pid.title(), family_name="Staff")
        for role in as_claims.roles:
            await directory("AssignRole", school_id=A, person_id=pid, role=role)
    await directory("EnrolPerson", school_id=A, person_id="s1", kind="staff", given_name="Sam",
                    family_name="Hill")
    for pid, given in (("p1", "Amy"), ("p2", "Ben")):
        await directory("EnrolPerson", school_id=A, person_id=pid, kind="pupil",
                        given_name=given, family_name="Ng", year_group=4)
    for school, caller in ((A, HEAD), (B, HEAD_B)):
        for cmd in policy(school):
            await p.rpc.call("sanction", "PublishMatrix", cmd, caller)
    people = p.runner(p.incident, "incident-people")
    await eventually(lambda: _value(people.stats.applied), lambda n: n == len(STAFF) * 2 + 3)
    types = p.runner(p.incident, "incident-types")
    await eventually(lambda: _value(types.stats.applied), lambda n: n == 4)


async def _value(n: int) -> int:
    return n


class TestMatrices:
    async def test_versions_and_tenancy(self, platform: Platform) -> None:
        p = platform
        current = await eventually(lambda: p.san("GetMatrix", TEACHER, audience="pupil"),
                                   lambda m: m is not None)
        assert (current["version"], current["versions"], current["by"]) == (1, [1], "head")
        assert len(current["rows"]) == 12 and current["escalation"]["actions"] == [
            "headteacher", "parents", "remove_access", "further_sanction"]
        [cmd, _] = policy(A)
        shorter = cmd.model_copy(update={"rows": cmd.rows[:3]})
        with pytest.raises(Forbidden):
            await p.rpc.call("sanction", "PublishMatrix", shorter, TEACHER)
        with pytest.raises(Forbidden):  # another school's head
            await p.rpc.call("sanction", "PublishMatrix", shorter, HEAD_B)
        assert (await p.rpc.call("sanction", "PublishMatrix", shorter, DSL))["version"] == 2
        await eventually(lambda: p.san("GetMatrix", TEACHER, audience="pupil"),
                         lambda m: m["version"] == 2 and len(m["rows"]) == 3)
        old = await p.san("GetMatrix", TEACHER, audience="pupil", version=1)
        assert len(old["rows"]) == 12
        # The incident log's types follow the current version, school by school.
        types = await eventually(lambda: p.san("IncidentTypes", TEACHER, audience="pupil"),
                                 lambda t: len(t) == 3)
        assert {t["matrix_version"] for t in types} == {2}
        glenfield = await p.rpc.call("sanction", "IncidentTypes", {"school_id": B}, HEAD_B)
        assert "behaviour" not in str(types) and {t["key"] for t in glenfield} >= {
            "cyber-bullying", "misuse-of-ict"}
        with pytest.raises(Forbidden):
            await p.rpc.call("sanction", "IncidentTypes", {"school_id": A}, HEAD_B)

    async def test_the_incident_log_accepts_only_the_schools_types(
            self, platform: Platform) -> None:
        p = platform
        iid = await p.report(("pupil", "p1"))
        with pytest.raises(InvalidInput, match="not an incident type"):
            await p.inc("ClassifyIncident", DSL, incident_id=iid, incident_type="made-up")
        with pytest.raises(InvalidInput, match="pupil matrix"):  # a staff-only type
            await p.inc("ClassifyIncident", DSL, incident_id=iid, incident_type="personal-use")
        with pytest.raises(InvalidInput):  # Glenfield's type, at Oakridge
            await p.inc("ClassifyIncident", DSL, incident_id=iid,
                        incident_type="explicit-images")
        await p.inc("ClassifyIncident", DSL, incident_id=iid, incident_type="mobile-device")


class TestRecommendations:
    async def test_the_row_is_recommended_and_a_repeat_escalates(
            self, platform: Platform) -> None:
        p = platform
        first = await p.report(("pupil", "p1"), incident_type="sharing-credentials")
        [rec] = await p.recommendations(first)
        assert (rec["person_id"], rec["person_name"], rec["escalated"]) == ("p1", "Amy Ng",
                                                                          False)
        assert [a["action"] for a in rec["actions"]] == ["headteacher", "warning"]
        await p.san("TakeAction", DSL, incident_id=first, person_id="p1", action="warning",
                    notes="spoken to")

        second = await p.report(("pupil", "p1"), ("pupil", "p2"),
                                incident_type="non-educational-sites")
        recs = {r["person_id"]: r for r in await p.recommendations(second, count=2)}
        amy, ben = recs["p1"], recs["p2"]
        assert (amy["escalated"], amy["earlier"], ben["escalated"]) == (True, [first], False)
        assert [(a["action"], a["escalation"]) for a in amy["actions"]] == [
            ("class_teacher", False), ("headteacher", True), ("parents", True),
            ("remove_access", True), ("warning", False), ("further_sanction", True)]
        assert [a["action"] for a in ben["actions"]] == ["class_teacher", "warning"]
        history = await eventually(lambda: p.san("PersonSanctions", DSL, person_id="p1"),
                                   lambda h: len(h) == 2)
        [warned] = [a for a in history[1]["actions"] if a["action"] == "warning"]
        assert (warned["status"], warned["by"], warned["notes"]) == ("taken", "dsl",
                                                                     "spoken to")

    async def test_a_pupil_named_twice_in_one_incident_gets_one_recommendation(
            self, platform: Platform) -> None:
        # Found by fuzzing: two recommendations raced for the record's one version, and the
        # incident's event was parked as poison, leaving the pupil with none.
        p = platform
        iid = await p.report(("pupil", "p1"), ("pupil", "p1"),
                             incident_type="sharing-credentials")
        [rec] = await p.recommendations(iid)
        assert rec["person_id"] == "p1"
        assert p.runner(p.sanction, "sanction-incidents").stats.parked == 0

    async def test_overrides_need_a_reason(self, platform: Platform) -> None:
        p = platform
        iid = await p.report(("pupil", "p1"), incident_type="sharing-credentials")
        await p.recommendations(iid)
        base = {"incident_id": iid, "person_id": "p1"}
        with pytest.raises(InvalidInput, match="reason"):
            await p.san("SkipAction", DSL, action="warning", **base)
        with pytest.raises(InvalidInput, match="reason"):
            await p.san("AddAction", DSL, action="parents", **base)
        with pytest.raises(InvalidInput, match="not an action"):
            await p.san("AddAction", DSL, action="detention", reason="x", **base)
        await p.san("SkipAction", DSL, action="warning", reason="first time; year 1", **base)
        await p.san("AddAction", DSL, action="parents", reason="parents asked", **base)
        with pytest.raises(AlreadyExists):
            await p.san("AddAction", DSL, action="parents", reason="again", **base)
        [rec] = await eventually(lambda: p.san("Recommendations", DSL, incident_id=iid),
                                 lambda r: len(r[0]["actions"]) == 3)
        assert [(a["action"], a["status"], a["reason"]) for a in rec["actions"]] == [
            ("headteacher", "recommended", ""), ("warning", "skipped", "first time; year 1"),
            ("parents", "added", "parents asked")]

    async def test_effects_a_task_a_referral_and_access_removed_until_a_date(
            self, platform: Platform) -> None:
        p = platform
        iid = await p.report(("pupil", "p1"), incident_type="proxy-sites")
        await p.recommendations(iid)
        base = {"incident_id": iid, "person_id": "p1"}
        until = (now() + timedelta(days=14)).date()
        with pytest.raises(InvalidInput, match="restored"):
            await p.san("TakeAction", COORDINATOR, action="remove_access", **base)
        await p.san("TakeAction", COORDINATOR, action="remove_access", until=str(until), **base)
        entry = await eventually(lambda: _register(p, "p1"), lambda e: e["status"] == "revoked")
        assert (entry["until"], entry["reason"]) == (
            str(until), f"Removal of network / internet access (incident {iid})")

        await p.san("AddAction", DSL, action="parents", reason="continued", **base)
        await p.san("TakeAction", DSL, action="parents", **base)
        await p.san("AddAction", DSL, action="technical_support", reason="block it", **base)
        await p.san("TakeAction", DSL, action="technical_support", notes="proxy.example",
                    **base)
        [task] = await eventually(lambda: p.san("OpenTasks", DSL), lambda t: len(t) == 1)
        assert (task["person_name"], task["incident_id"]) == ("Amy Ng", iid)
        [referral] = await eventually(lambda: p.san("IctReferrals", TECH), lambda r: len(r) == 1)
        assert (referral["person_id"], referral["notes"]) == ("p1", "proxy.example")
        with pytest.raises(Forbidden):
            await p.san("IctReferrals", TEACHER)
        await p.san("CompleteTask", DSL, person_id="p1", task_id=task["task_id"],
                    notes="phoned")
        await eventually(lambda: p.san("OpenTasks", DSL), lambda t: t == [])


async def _register(p: Platform, pid: str) -> dict[str, Any]:
    page = await p.rpc.call("agreement", "GetRegister", {"school_id": A, "limit": 500}, HEAD)
    found: dict[str, Any] = next((e for e in page["items"] if e["person_id"] == pid),
                                 {"status": "absent"})
    return found


class TestWhoSees:
    async def test_staff_sanctions_are_the_heads_and_nothing_crosses_schools(
            self, platform: Platform) -> None:
        p = platform
        staff = await p.report(("staff", "s1"), incident_type="personal-use")
        pupil = await p.report(("pupil", "p2"), incident_type="mobile-device")
        [rec] = await p.recommendations(staff, HEAD)
        assert [a["action"] for a in rec["actions"]] == ["headteacher", "warning",
                                                         "disciplinary"]
        await p.recommendations(pupil, COORDINATOR)
        for caller in (DSL, COORDINATOR, TEACHER):
            assert await p.san("Recommendations", caller, incident_id=staff) == []
            assert await p.san("PersonSanctions", caller, person_id="s1") == []
        assert await p.san("Recommendations", TEACHER, incident_id=pupil) == []
        with pytest.raises(Forbidden):  # a teacher sees the pupil incident, not its sanctions
            await p.san("TakeAction", TEACHER, incident_id=pupil, person_id="p2",
                        action="headteacher")
        with pytest.raises(Forbidden):  # the DSL sees the staff incident, not its sanctions
            await p.san("TakeAction", DSL, incident_id=staff, person_id="s1", action="warning")
        await p.san("TakeAction", HEAD, incident_id=staff, person_id="s1", action="warning")
        with pytest.raises(Forbidden):
            await p.rpc.call("sanction", "Recommendations",
                             {"school_id": A, "incident_id": pupil}, HEAD_B)
        with pytest.raises(NotFound):  # naming its own school does not reach ours
            await p.rpc.call("sanction", "TakeAction",
                             {"school_id": B, "incident_id": pupil, "person_id": "p2",
                              "action": "headteacher"}, HEAD_B)


def capture_envelope(event: Event, version: int) -> Envelope:
    return Envelope(event_id=uuid4(), type=event.type_name, schema_version=1, school_id=A,
                    aggregate_type="capture", aggregate_id="c1", aggregate_version=version,
                    occurred_at=datetime.now(UTC), correlation_id=uuid4(),
                    payload=event.model_dump(mode="json"))


class TestRedelivery:
    async def test_a_capture_violation_opens_one_incident_and_one_recommendation(
            self, platform: Platform) -> None:
        p = platform
        js = p.nc.jetstream()
        await declare_service_streams(js, "capture")
        received = CaptureReceived(
            capture_id="c1", school_id=A, la_id=LA, product="watcher", product_capture_id="w1",
            captured_at=datetime(2026, 10, 5, 9, 0, tzinfo=UTC), machine="PC-12",
            username="amy.ng",
            url="https://proxy.example")
        moderated = capture_envelope(CaptureModerated(capture_id="c1", grade=Grade.VIOLATION,
                                                      moderator="mod"), 2)
        for env, msg_id in ((capture_envelope(received, 1), None), (moderated, None),
                            (moderated, "re-sent")):
            await js.publish(f"events.capture.{A}.{env.type}", env.model_dump_json().encode(),
                             headers={"Nats-Msg-Id": msg_id or str(env.event_id)})
        iid = "capture-c1"
        await eventually(lambda: p.inc("IncidentLog", DSL),
                         lambda page: [i["incident_id"] for i in page["items"]] == [iid])
        # The DSL names the pupil behind the username and classifies it.
        await p.inc("AddInvolved", DSL, incident_id=iid,
                    involved=[{"kind": "pupil", "person_id": "p1"}])
        await p.inc("ClassifyIncident", DSL, incident_id=iid, category="conduct",
                    incident_type="proxy-sites")
        await p.recommendations(iid)

        # Every incident event again, past JetStream's de-duplication (new message ids).
        reaction = p.runner(p.sanction, "sanction-incidents")
        before = reaction.stats.received
        stored = await p.incident.kit.store.load("incident", iid)
        for env in stored:
            await js.publish(f"events.incident.{A}.{env.type}", env.model_dump_json().encode(),
                             headers={"Nats-Msg-Id": f"again-{env.event_id}"})
        await eventually(lambda: _value(reaction.stats.received),
                         lambda n: n >= before + len(stored))
        # ...and a replay of the reaction from scratch (a rebuild).
        await p.sanction.rebuild(["sanction-incidents"])

        assert [e.type for e in stored].count("IncidentReported") == 1
        assert await p.sanction.kit.store.count(["SanctionRecommended"]) == 1
        [rec] = await p.recommendations(iid)
        assert [a["action"] for a in rec["actions"]] == ["headteacher", "remove_access",
                                                         "further_sanction"]
