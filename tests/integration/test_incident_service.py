"""The incident service with the directory, in process, on a private NATS: the routing rules
hold in its queries and commands, and a capture graded violation opens exactly one incident."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import nats
import pytest
from nats.aio.client import Client

from services.capture.domain.events import (
    CaptureModerated,
    CaptureReceived,
    CaptureRegraded,
    CaptureTriaged,
    Category,
    Grade,
    Priority,
)
from services.directory.handlers import build as build_directory
from services.incident.handlers import build as build_incident
from shared.claims import Claims, Role, system_claims
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.events import Envelope, Event
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


TEACHER, OTHER_TEACHER = claims("t1", Role.TEACHER), claims("t2", Role.TEACHER)
DSL, HEAD = claims("dsl", Role.DSL), claims("head", Role.HEADTEACHER)
COORDINATOR = claims("esc", Role.ESAFETY_COORDINATOR)
GOVERNOR = claims("gov", Role.GOVERNOR)
HEAD_B = claims("b-head", Role.HEADTEACHER, B)
MODERATOR = claims("mod", Role.LA_MODERATOR, LA)
LA_ADMIN = claims("la-admin", Role.LA_ADMIN, LA)
STAFF = {"t1": TEACHER, "t2": OTHER_TEACHER, "dsl": DSL, "head": HEAD, "esc": COORDINATOR,
         "s1": None}
ROLES = sum(1 for c in STAFF.values() if c)


@dataclass
class Platform:
    incident: Service
    rpc: RpcClient
    nc: Client

    async def call(self, name: str, caller: Claims, **body: Any) -> Any:
        return await self.rpc.call("incident", name, {"school_id": A, **body}, caller)

    async def report(self, caller: Claims, **body: Any) -> str:
        done = await self.call("ReportIncident", caller, occurred_at=AT,
                               description=body.pop("description", "something happened"),
                               came_to_light=body.pop("came_to_light", "staff"), **body)
        return str(done["incident_id"])

    async def log(self, caller: Claims, **where: Any) -> set[str]:
        page = await self.call("IncidentLog", caller, **where)
        return {i["incident_id"] for i in page["items"]}

    async def until_logged(self, *ids: str) -> None:
        await eventually(lambda: self.log(HEAD), lambda found: set(ids) <= found)

    def applied(self, projection: str) -> int:
        [runner] = [r for r in self.incident.runners if r.projection.name == projection]
        return runner.stats.applied


@pytest.fixture
async def platform(fresh_nats: NatsServer, tmp_path: Path,
                   db_url: str) -> AsyncIterator[Platform]:
    async with running("directory", build_directory,
                       settings_for(fresh_nats.url, tmp_path / "dir")) as _, \
            running("incident", build_incident,
                    settings_for(fresh_nats.url, tmp_path / "inc", db_url)) as incident:
        nc = await nats.connect(fresh_nats.url)
        try:
            platform = Platform(incident, RpcClient(nc), nc)
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
        for role in as_claims.roles if as_claims else ():
            await directory("AssignRole", school_id=A, person_id=pid, role=role)
    await directory("EnrolPerson", school_id=A, person_id="p1", kind="pupil", given_name="Amy",
                    family_name="Ng", year_group=4)
    await eventually(lambda: _async(p.applied("incident-people")),
                     lambda n: n == len(STAFF) + 1 + ROLES)


async def _async(value: int) -> int:
    return value


class TestRouting:
    async def test_who_sees_which_incident(self, platform: Platform) -> None:
        p = platform
        plain = await p.report(TEACHER, involved=[{"kind": "pupil", "person_id": "p1"}])
        # Named as a pupil, but the directory knows s1 as staff: "about staff" holds anyway.
        staff = await p.report(TEACHER, involved=[{"kind": "pupil", "person_id": "s1"}])
        complaint = await p.report(DSL, came_to_light="complaint",
                                   involved=[{"kind": "staff", "person_id": "s1"}])
        cp = await p.report(DSL, involved=[{"kind": "pupil", "person_id": "p1"}])
        await p.call("ClassifyIncident", DSL, incident_id=cp, category="contact",
                     child_protection=True)
        await p.until_logged(plain, staff, complaint, cp)
        await eventually(lambda: p.log(HEAD, child_protection=True), lambda f: f == {cp})

        assert await p.log(OTHER_TEACHER) == {plain}
        assert await p.log(TEACHER) == {plain, staff}  # and what they reported
        assert await p.log(COORDINATOR) == {plain, staff}
        assert await p.log(DSL) == {plain, staff, cp, complaint}  # DSL reported the complaint
        assert await p.log(claims("dsl2", Role.DSL)) == {plain, staff, cp}
        assert await p.log(HEAD) == {plain, staff, complaint, cp}
        assert await p.log(MODERATOR) == {plain}  # LA moderators: no CP, no staff incidents
        assert await p.log(LA_ADMIN) == {plain, staff, complaint, cp}
        # The head's staff-complaints page filters; the filter never widens who sees what.
        assert await p.log(HEAD, about_staff=True) == {staff, complaint}
        assert await p.log(HEAD, about_staff=True, came_to_light="complaint") == {complaint}
        assert await p.log(claims("dsl2", Role.DSL), about_staff=True) == {staff}
        assert await p.log(HEAD, about_staff=False) == {plain, cp}
        with pytest.raises(Forbidden):  # governors see no incident: the log is for staff
            await p.log(GOVERNOR)

        for hidden in (cp, staff, complaint):
            with pytest.raises(NotFound):
                await p.call("GetIncident", OTHER_TEACHER, incident_id=hidden)
            with pytest.raises(NotFound):
                await p.call("AddIncidentNote", OTHER_TEACHER, incident_id=hidden, text="hi")
        shown = await p.call("GetIncident", DSL, incident_id=cp)
        assert shown["child_protection"] and [e["entry"] for e in shown["chronology"]] == [
            "reported", "classified"]

    async def test_another_school_sees_nothing(self, platform: Platform) -> None:
        p = platform
        iid = await p.report(TEACHER)
        await p.until_logged(iid)
        with pytest.raises(Forbidden):
            await p.call("IncidentLog", HEAD_B)
        with pytest.raises(Forbidden):
            await p.call("GetIncident", HEAD_B, incident_id=iid)
        # Naming its own school does not reach ours either.
        with pytest.raises(NotFound):
            await p.rpc.call("incident", "AddIncidentNote",
                             {"school_id": B, "incident_id": iid, "text": "x"}, HEAD_B)

    async def test_a_teacher_reports_but_does_not_handle(self, platform: Platform) -> None:
        p = platform
        iid = await p.report(TEACHER)
        with pytest.raises(Forbidden):
            await p.call("ClassifyIncident", TEACHER, incident_id=iid, category="content")
        with pytest.raises(Forbidden):
            await p.report(GOVERNOR)
        with pytest.raises(InvalidInput):
            await p.report(TEACHER, involved=[{"kind": "pupil", "person_id": "nobody"}])
        with pytest.raises(InvalidInput):
            await p.call("AssignIncident", DSL, incident_id=iid, assignee="p1")  # not staff
        cp = await p.report(DSL)
        await p.call("ClassifyIncident", DSL, incident_id=cp, category="contact",
                     child_protection=True)
        with pytest.raises(InvalidInput, match="may not see"):
            await p.call("AssignIncident", DSL, incident_id=cp, assignee="t2")
        assert (await p.call("AssignIncident", DSL, incident_id=cp,
                             assignee="head"))["status"] == "under_review"
        await p.call("AssignIncident", DSL, incident_id=iid, assignee="t2")
        # The assignee handles it, within what they may see.
        done = await p.call("ChangeIncidentStatus", OTHER_TEACHER, incident_id=iid,
                            status="action_taken")
        assert done["status"] == "action_taken"

    async def test_termly_reviews_for_governors(self, platform: Platform) -> None:
        p = platform
        with pytest.raises(Forbidden):
            await p.call("RecordTermlyReview", TEACHER, term="2026-autumn", findings="x")
        done = await p.call("RecordTermlyReview", COORDINATOR, term="2026-autumn",
                            findings="Two incidents; filtering adjusted.")
        assert done["reviewer"] == "esc"
        with pytest.raises(Exception, match="already recorded"):
            await p.call("RecordTermlyReview", DSL, term="2026-autumn", findings="again")
        found = await eventually(lambda: p.call("ListTermlyReviews", GOVERNOR),
                                 lambda r: len(r) == 1)
        assert found[0]["findings"] == "Two incidents; filtering adjusted."
        with pytest.raises(Forbidden):
            await p.call("ListTermlyReviews", TEACHER)


def envelope(event: Event, aggregate_version: int, capture_id: str = "c1") -> Envelope:
    return Envelope(event_id=uuid4(), type=event.type_name, schema_version=1, school_id=A,
                    aggregate_type="capture", aggregate_id=capture_id,
                    aggregate_version=aggregate_version, occurred_at=datetime.now(UTC),
                    correlation_id=uuid4(), payload=event.model_dump(mode="json"))


async def publish(nc: Client, env: Envelope, msg_id: str | None = None) -> None:
    await nc.jetstream().publish(f"events.capture.{A}.{env.type}", env.model_dump_json().encode(),
                                 headers={"Nats-Msg-Id": msg_id or str(env.event_id)})


class TestCaptureReaction:
    async def test_a_violation_opens_one_incident_through_redelivery_and_regrade(
            self, platform: Platform) -> None:
        p = platform
        await declare_service_streams(p.nc.jetstream(), "capture")
        received = CaptureReceived(
            capture_id="c1", school_id=A, la_id=LA, product="watcher", product_capture_id="w1",
            captured_at=datetime(2026, 10, 5, 9, 0, tzinfo=UTC), machine="PC-12",
            username="amy.ng",
            url="https://chat.example")
        triaged = CaptureTriaged(capture_id="c1", category=Category.BULLYING, severity=4,
                                 priority=Priority.HIGH)
        moderated = envelope(CaptureModerated(capture_id="c1", grade=Grade.VIOLATION,
                                              moderator="mod"), 3)
        for env in (envelope(received, 1), envelope(triaged, 2), moderated):
            await publish(p.nc, env)
        await publish(p.nc, moderated, msg_id="re-sent-after-the-window")  # same event again
        await eventually(lambda: _async(p.applied("incident-captures")), lambda n: n == 3)

        found = await eventually(lambda: p.log(HEAD), lambda f: f == {"capture-c1"})
        view = await p.call("GetIncident", HEAD, incident_id="capture-c1")
        assert (view["came_to_light"], view["category"], view["cyber_bullying"],
                view["child_protection"], view["url"]) == (
            "capture", "conduct", True, False, "https://chat.example")
        assert "in the capture's detail" in view["description"]  # the text stays there
        assert await p.log(OTHER_TEACHER) == found  # a violation is not child protection

        regraded = envelope(CaptureRegraded(
            capture_id="c1", grade=Grade.URGENT_CHILD_PROTECTION, previous=Grade.VIOLATION,
            moderator="mod"), 4)
        await publish(p.nc, regraded)
        await publish(p.nc, regraded, msg_id="and-again")
        await eventually(lambda: p.log(HEAD, child_protection=True),
                         lambda f: f == {"capture-c1"})
        assert await p.log(HEAD) == {"capture-c1"}
        assert await p.log(OTHER_TEACHER) == set()
        stored = await p.incident.kit.store.load("incident", "capture-c1")
        assert [e.type for e in stored] == ["IncidentReported", "IncidentClassified",
                                            "IncidentClassified"]

    async def test_a_triage_applied_before_its_receipt_still_counts(
            self, platform: Platform) -> None:
        """After a crash, JetStream gives the new consumer later events first (the dead one's
        batch waits out its ack time): the receipt and the triage may be applied either way
        round, and the incident is the same."""
        p = platform
        await declare_service_streams(p.nc.jetstream(), "capture")
        triaged = CaptureTriaged(capture_id="c3", category=Category.GROOMING_CSE, severity=5,
                                 priority=Priority.URGENT)
        received = CaptureReceived(
            capture_id="c3", school_id=A, la_id=LA, product="watcher", product_capture_id="w3",
            captured_at=datetime(2026, 10, 6, 9, 0, tzinfo=UTC), machine="PC-3",
            username="ben.ng", url="https://game.example")
        await publish(p.nc, envelope(triaged, 2, "c3"))
        await eventually(lambda: _async(p.applied("incident-captures")), lambda n: n == 1)
        await publish(p.nc, envelope(received, 1, "c3"))
        await publish(p.nc, envelope(CaptureModerated(capture_id="c3", grade=Grade.VIOLATION,
                                                      moderator="mod"), 3, "c3"))
        await eventually(lambda: p.log(HEAD), lambda f: "capture-c3" in f)
        view = await p.call("GetIncident", HEAD, incident_id="capture-c3")
        assert (view["category"], view["child_protection"], view["url"]) == (
            "contact", True, "https://game.example")
        assert "ben.ng on PC-3" in view["description"]

    async def test_lesser_grades_open_nothing(self, platform: Platform) -> None:
        p = platform
        await declare_service_streams(p.nc.jetstream(), "capture")
        await publish(p.nc, envelope(CaptureModerated(capture_id="c2", grade=Grade.CONCERN,
                                                      moderator="mod"), 3, "c2"))
        await eventually(lambda: _async(p.applied("incident-captures")), lambda n: n == 1)
        assert await p.incident.kit.store.load("incident", "capture-c2") == []
