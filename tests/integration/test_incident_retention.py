"""Retention of incidents, with directory, compliance and incident in process on a private
NATS (controllable clock): a closed incident's description and notes go after the school's
period, a child-protection incident's only once the pupil is 25, an open one's never; the
record, its chronology's entries and the log's counts stay; the text is in no event, no
JetStream message and no read model afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client

from services.compliance.handlers import build as build_compliance
from services.directory.handlers import build as build_directory
from services.incident.domain.incident import incident
from services.incident.handlers import build as build_incident
from shared.claims import Claims, Role, system_claims
from shared.errors import DomainError, Forbidden
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.service import Service
from tests.integration.test_capture_retention import POLICY, in_database, on_the_bus
from tests.integration.test_capture_service import Clock
from tests.support.inprocess import applied, running, settings_for
from tests.support.procs import eventually

LA, A, B = "testshire", "oakridge", "glenfield"
DSL = Claims(subject="dsl", school_id=A, la_id=LA, roles=frozenset({Role.DSL}))
DSL_B = Claims(subject="dsl-b", school_id=B, la_id=LA, roles=frozenset({Role.DSL}))
TEACHER = Claims(subject="t1", school_id=A, la_id=LA, roles=frozenset({Role.TEACHER}))
ADMIN = system_claims(LA)
SECRETS = ("SECRET-DESCRIPTION-amy-was-sent", "SECRET-NOTE-spoke-to-amy",
           "SECRET-CP-DESCRIPTION-disclosure", "SECRET-REFERRAL-officer-visits-amy",
           "SECRET-OUTCOME-amy-moved-class")
BORN = datetime(2015, 5, 1, tzinfo=UTC)  # Amy is 25 on 1 May 2040


@dataclass
class Env:
    incident: Service
    nc: Client
    rpc: RpcClient
    clock: Clock

    async def call(self, name: str, caller: Claims, **body: Any) -> Any:
        return await self.rpc.call("incident", name, {"school_id": A, **body}, caller)

    def applied(self, projection: str) -> int:
        [runner] = [r for r in self.incident.runners if r.projection.name == projection]
        return runner.stats.applied

    async def closed(self, description: str, note: str = "", cp: bool = False,
                     referral: str = "", outcome: str = "resolved", pupil: str = "p1") -> str:
        done = await self.call("ReportIncident", DSL, occurred_at="2026-10-05T10:30:00Z",
                               description=description, came_to_light="staff",
                               involved=[{"kind": "pupil", "person_id": pupil}])
        iid = str(done["incident_id"])
        if note:
            await self.call("AddIncidentNote", DSL, incident_id=iid, text=note)
        if cp:
            await self.call("ClassifyIncident", DSL, incident_id=iid, category="contact",
                            child_protection=True)
        await self.call("AssignIncident", DSL, incident_id=iid, assignee="dsl")
        if await self.status(iid) != "under_review":
            await self.call("ChangeIncidentStatus", DSL, incident_id=iid,
                            status="under_review")
        if referral:
            await self.call("ReferIncident", DSL, incident_id=iid, agency="police",
                            reference="CAD 42", notes=referral)
        await self.call("CloseIncident", DSL, incident_id=iid, outcome=outcome)
        return iid

    async def status(self, iid: str) -> str:
        state, _ = await self.incident.kit.bus.load(incident, iid)
        return state.status.value

    async def get(self, iid: str) -> dict[str, Any]:
        return dict(await self.call("GetIncident", DSL, incident_id=iid))

    async def purge(self, at: datetime) -> int:
        self.clock.now = at
        return int((await self.rpc.call("incident", "PurgeDue", {}, ADMIN))["records"])


@pytest.fixture
async def env(db_url: str, fresh_nats: NatsServer, tmp_path: Path) -> AsyncIterator[Env]:
    clock = Clock()
    clock.now = datetime.now(UTC)  # incidents are reported at the real time
    async with running("directory", build_directory,
                       settings_for(fresh_nats.url, tmp_path / "dir")) as _, \
            running("compliance", build_compliance,
                    settings_for(fresh_nats.url, tmp_path / "comp")) as _, \
            running("incident", partial(build_incident, clock=clock),
                    settings_for(fresh_nats.url, tmp_path / "inc", db_url)) as incident:
        nc = await nats.connect(fresh_nats.url)
        try:
            e = Env(incident, nc, RpcClient(nc), clock)
            await seed(e)
            yield e
        finally:
            await nc.close()


async def seed(e: Env) -> None:
    async def directory(rpc_name: str, **body: Any) -> None:
        await e.rpc.call("directory", rpc_name, body, ADMIN)

    await directory("EstablishAuthority", la_id=LA, name="Testshire")
    await directory("OnboardSchool", school_id=A, la_id=LA, name=A, urn="100001",
                    phase="primary")
    await directory("EnrolPerson", school_id=A, person_id="dsl", kind="staff",
                    given_name="Dana", family_name="Lead")
    await directory("AssignRole", school_id=A, person_id="dsl", role="dsl")
    await directory("EnrolPerson", school_id=A, person_id="p1", kind="pupil",
                    given_name="Amy", family_name="Ng", year_group=6,
                    date_of_birth=BORN.date().isoformat())
    await e.rpc.call("compliance", "SetRetentionPolicy", POLICY, ADMIN)
    # The school, the policy, and the people (two enrolled, one role).
    await eventually(lambda: _async(e.applied("incident-retention")), lambda n: n == 2)
    await eventually(lambda: _async(e.applied("incident-people")), lambda n: n == 3)
    # A second school of the LA, a leaver of A who joins it.
    await directory("OnboardSchool", school_id=B, la_id=LA, name=B, urn="100002",
                    phase="primary")
    await directory("EnrolPerson", school_id=A, person_id="p2", kind="pupil",
                    given_name="Milo", family_name="Mover", year_group=6,
                    date_of_birth=BORN.date().isoformat())
    await directory("EnrolPerson", school_id=B, person_id="j2", kind="pupil",
                    given_name="Milo", family_name="Mover", year_group=6,
                    date_of_birth=BORN.date().isoformat())


async def _async(value: int) -> int:
    return value


class TestIncidentPurge:
    async def test_closed_text_goes_after_its_period_child_protection_at_25(
            self, env: Env) -> None:
        plain = await env.closed(SECRETS[0], note=SECRETS[1], referral=SECRETS[3],
                                 outcome=SECRETS[4])
        cp = await env.closed(SECRETS[2], cp=True)
        still_open = await env.call("ReportIncident", DSL, occurred_at="2026-10-05T10:30:00Z",
                                    description="an open one", came_to_light="staff")
        before = await eventually(lambda: env.get(plain), lambda v: v["status"] == "closed")
        assert before["description"] == SECRETS[0] and before["outcome"] == SECRETS[4]
        assert ("referred", f"police CAD 42 {SECRETS[3]}") in [
            (e["entry"], e["detail"]) for e in before["chronology"]]
        assert ("closed", SECRETS[4]) in [(e["entry"], e["detail"]) for e in before["chronology"]]
        await eventually(lambda: env.get(cp), lambda v: v["status"] == "closed")
        await eventually(lambda: env.call("IncidentLog", DSL), lambda log: log["total"] == 3)

        # 84 months is the policy's incident_text period: not yet at 6 years.
        assert await env.purge(env.clock.now + timedelta(days=6 * 365)) == 0
        at = env.clock.now + timedelta(days=2 * 365)
        assert await env.purge(at) == 1
        after = await eventually(lambda: env.get(plain), lambda v: v["text_removed_on"])
        assert after["description"] == "" and after["text_removed_on"] == at.date().isoformat()
        assert after["outcome"] == ""
        entries = [(e["entry"], e["detail"]) for e in after["chronology"]]
        assert ("referred", "police CAD 42") in entries  # the agency and reference stay
        assert [e for e, _ in entries] == [e["entry"] for e in before["chronology"]] + [
            "purged"]
        assert entries[-1][1] == (f"description and notes and outcome removed under "
                                  f"retention on "
                                  f"{at.date().isoformat()}")
        assert not any(s in str(after) for s in SECRETS)
        assert (await env.get(cp))["description"] == SECRETS[2]  # Amy is not 25 yet

        assert await env.purge(datetime(2040, 4, 30, 12, tzinfo=UTC)) == 0
        assert await env.purge(datetime(2040, 5, 1, 12, tzinfo=UTC)) == 1
        await eventually(lambda: env.get(cp), lambda v: v["description"] == "")
        assert (await env.get(str(still_open["incident_id"])))["description"] == "an open one"
        assert (await env.call("IncidentLog", DSL))["total"] == 3  # every record stays
        await eventually(lambda: applied(env.incident, "incident-purges"), lambda n: n == 2)
        assert (await env.call("ListPurges", DSL))["total"] == 2
        for secret in SECRETS:
            assert not await in_database(env.incident, secret)
            assert not await on_the_bus(env.nc, secret)

    async def test_the_purge_log_is_for_the_safeguarding_leads(self, env: Env) -> None:
        with pytest.raises(Forbidden):
            await env.call("ListPurges", TEACHER)
        with pytest.raises(Forbidden):
            await env.rpc.call("incident", "PurgeDue", {}, DSL)


TRANSFERRED = ("SECRET-TRANSFERRED-milo-shared-images", "SECRET-TRANSFER-NOTE-cp-file-follows")


async def attempt(call: Any) -> Any:
    """The call's answer, or the domain error it raised (for `eventually`)."""
    try:
        return await call
    except DomainError as exc:
        return exc


class TestTransferPurge:
    async def test_a_transfer_follows_its_incidents_and_is_in_the_joiners_export(
            self, env: Env) -> None:
        iid = await env.closed(TRANSFERRED[0], pupil="p2")
        await env.rpc.call("directory", "RecordLeaver", {
            "school_id": A, "person_id": "p2", "left_on": "2026-11-20"}, ADMIN)
        sent = await eventually(lambda: attempt(env.call(
            "StartRecordTransfer", DSL, person_id="p2", to_school_id=B, note=TRANSFERRED[1])),
            lambda r: not isinstance(r, DomainError))
        assert sent["incidents"] == 1
        await eventually(lambda: attempt(env.rpc.call("incident", "ConfirmRecordTransfer", {
            "school_id": B, "transfer_id": sent["transfer_id"], "person_id": "j2"}, DSL_B)),
            lambda r: not isinstance(r, DomainError))

        async def exported(school: str, person: str, caller: Claims) -> list[dict[str, Any]]:
            part = await env.rpc.call("incident", "SubjectAccess",
                                      {"school_id": school, "person_id": person}, caller)
            return [i for i in part["items"] if i["kind"] == "record_transfer"]

        # The joiner's export at B holds what A sent about them; the leaver's at A too.
        [joiner] = await eventually(lambda: exported(B, "j2", DSL_B),
                                    lambda got: bool(got) and got[0]["data"]["joiner_id"] == "j2")
        assert joiner["summary"].startswith(f"safeguarding record received from {A}")
        assert all(s in str(joiner["data"]) for s in TRANSFERRED)
        [leaver] = await exported(A, "p2", DSL)
        assert leaver["summary"].startswith(f"safeguarding record sent to {B}")
        assert await exported(B, "p2", DSL_B) == []  # ids are per school

        # The incident's text goes after its period; the transfer's with it, in the same run:
        # the incident log (inline) shows the purge as it is appended, and transfers are
        # checked after incidents (the summary is a copy: it never outlives the original).
        at = env.clock.now + timedelta(days=8 * 365)
        assert await env.purge(at) == 2
        assert (await env.get(iid))["text_removed_on"]
        assert await env.purge(at) == 0
        [after] = await eventually(lambda: exported(B, "j2", DSL_B),
                                   lambda got: got[0]["data"]["text_removed_on"])
        assert f"removed under retention on {at.date().isoformat()}" in after["summary"]
        assert after["data"]["note"] == "" and after["data"]["incidents"] == [
            {"incident_id": iid, "summary": ""}]
        [listed] = await env.rpc.call("incident", "RecordTransfers", {"school_id": A}, DSL)
        assert listed["text_removed_on"] == at.date().isoformat()
        await eventually(lambda: applied(env.incident, "incident-purges"), lambda n: n == 2)
        for secret in TRANSFERRED:
            assert not await in_database(env.incident, secret)
            assert not await on_the_bus(env.nc, secret)
