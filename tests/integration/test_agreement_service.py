"""The agreement service with the directory, in process, on a private NATS: the register follows
signatures, new versions, grace periods, leavers (a reaction, once) and sanctions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import nats
import pytest
from nats.aio.client import Client

from services.agreement.assess import today
from services.agreement.handlers import build as build_agreement
from services.agreement.periodic import enforce_periodically
from services.directory.handlers import build as build_directory
from shared.claims import Claims, Role, system_claims
from shared.errors import Forbidden
from shared.events import Envelope, now
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.service import Service
from shared.streams import declare_service_streams
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually

LA, A, B = "testshire", "oakridge", "glenfield"
HEAD_A = Claims(subject="a-head", school_id=A, la_id=LA, roles=frozenset({Role.HEADTEACHER}))
HEAD_B = Claims(subject="b-head", school_id=B, la_id=LA, roles=frozenset({Role.HEADTEACHER}))
SYSTEM = system_claims(LA)
TODAY = today()


def person(pid: str) -> Claims:
    return Claims(subject=pid, school_id=A, la_id=LA)


@dataclass
class Platform:
    directory: Service
    agreement: Service
    rpc: RpcClient
    nc: Client

    async def agreement_call(self, name: str, caller: Claims, **body: Any) -> Any:
        return await self.rpc.call("agreement", name, {"school_id": A, **body}, caller)

    async def status(self, pid: str) -> tuple[str, str | None]:
        page = await self.agreement_call("GetRegister", HEAD_A, include_leavers=True,
                                         limit=500)
        found = {e["person_id"]: (e["status"], e["reason"]) for e in page["items"]}
        return found.get(pid, ("absent", None))

    async def until_status(self, pid: str, status: str) -> tuple[str, str | None]:
        return await eventually(lambda: self.status(pid), lambda s: s[0] == status)

    async def applied(self, projection: str) -> int:
        [runner] = [r for r in self.agreement.runners if r.projection.name == projection]
        return runner.stats.applied


@pytest.fixture
async def platform(fresh_nats: NatsServer, tmp_path: Path,
                   db_url: str) -> AsyncIterator[Platform]:
    # The directory on SQLite; the agreement service on the backend under test.
    async with running("directory", build_directory,
                       settings_for(fresh_nats.url, tmp_path / "dir")) as directory, \
            running("agreement", build_agreement,
                    settings_for(fresh_nats.url, tmp_path / "agr", db_url)) as agreement:
        nc = await nats.connect(fresh_nats.url)
        try:
            platform = Platform(directory, agreement, RpcClient(nc), nc)
            await seed(platform)
            yield platform
        finally:
            await nc.close()


async def seed(p: Platform) -> None:
    async def directory(rpc_name: str, **body: Any) -> None:
        await p.rpc.call("directory", rpc_name, body, SYSTEM)

    await directory("EstablishAuthority", la_id=LA, name="Testshire")
    for school, urn in ((A, "100001"), (B, "100002")):
        await directory("OnboardSchool", school_id=school, la_id=LA, name=school, urn=urn,
                        phase="primary")
    await directory("EnrolPerson", school_id=A, person_id="p1", kind="pupil", given_name="Amy",
                    family_name="Ng", year_group=4, class_name="4B")
    await directory("EnrolPerson", school_id=A, person_id="g1", kind="parent", given_name="Jo",
                    family_name="Ng")
    await directory("EnrolPerson", school_id=A, person_id="s1", kind="staff", given_name="Sam",
                    family_name="Hill")
    await directory("LinkGuardian", school_id=A, person_id="g1", pupil_id="p1")
    # Three enrolments and a link reach the agreement service's own view of the people.
    await eventually(lambda: p.applied("agreement-people"), lambda n: n == 4)
    for audience in ("pupil", "parent_consent", "staff"):
        tid = (await p.agreement_call("CreateTemplate", HEAD_A, audience=audience,
                                      title=f"{audience} agreement"))["template_id"]
        await p.agreement_call("PublishVersion", HEAD_A, template_id=tid, text="# Rules",
                               effective_from=str(TODAY - timedelta(days=30)), grace_days=14)


async def sign(p: Platform, pid: str, audience: str, version: int = 1, **extra: Any) -> None:
    await p.agreement_call("SignAgreement", person(pid), person_id=pid,
                           template_id=f"{A}.{audience}", version=version, **extra)


class TestRegister:
    async def test_access_follows_signatures_versions_grace_and_leaving(
            self, platform: Platform) -> None:
        p = platform
        await sign(p, "p1", "pupil")
        assert (await p.until_status("p1", "none"))[0] == "none"  # consent still missing
        await sign(p, "g1", "parent_consent", on_behalf_of="p1")
        await p.until_status("p1", "granted")

        await p.agreement_call("PublishVersion", HEAD_A, template_id=f"{A}.pupil",
                               text="# Rules v2", effective_from=str(TODAY), grace_days=14)
        outstanding = await eventually(
            lambda: p.agreement_call("ListOutstanding", HEAD_A),
            lambda rows: any(r["person_id"] == "p1" for r in rows))
        assert [(r["audience"], r["signed_version"], r["latest_version"]) for r in outstanding
                if r["person_id"] == "p1"] == [("pupil", 1, 2)]
        assert (await p.status("p1"))[0] == "granted"  # within the grace period

        await p.agreement_call("EnforceGracePeriods", HEAD_A,
                               as_of=str(TODAY + timedelta(days=15)))
        _, reason = await p.until_status("p1", "suspended")
        assert reason and "pupil agreement v2 not signed" in reason
        await sign(p, "p1", "pupil", version=2)
        await p.until_status("p1", "granted")

        await p.rpc.call("directory", "RecordLeaver", {"school_id": A, "person_id": "p1",
                                                       "left_on": str(TODAY)}, SYSTEM)
        assert await p.until_status("p1", "revoked") == ("revoked", "left school")
        await self.redeliver_leaver(p)
        assert await p.agreement.kit.store.count(["InternetAccessRevoked"]) == 1

    async def redeliver_leaver(self, p: Platform) -> None:
        """The same PersonLeft again, past JetStream's de-duplication (a new message id)."""
        [env] = [e async for batch in p.directory.kit.store.read_all(types=["PersonLeft"])
                 for e in batch]
        [leavers] = [r for r in p.agreement.runners if r.projection.name == "agreement-leavers"]
        before = leavers.stats.received
        await p.nc.jetstream().publish(f"events.directory.{A}.PersonLeft",
                                       env.model_dump_json().encode(),
                                       headers={"Nats-Msg-Id": f"again-{uuid4()}"})
        await eventually(lambda: _value(leavers.stats.received), lambda n: n > before)

    async def test_another_schools_caller_cannot_read_the_register(
            self, platform: Platform) -> None:
        with pytest.raises(Forbidden):
            await platform.agreement_call("GetRegister", HEAD_B)
        with pytest.raises(Forbidden):
            await platform.agreement_call("ListOutstanding", HEAD_B)

    async def test_a_sanction_revokes_access_until_its_date(self, platform: Platform) -> None:
        p = platform
        await sign(p, "s1", "staff")
        await p.until_status("s1", "granted")
        until = TODAY + timedelta(days=7)
        await publish_removal(p.nc, "s1", until)
        assert (await p.until_status("s1", "revoked"))[1] == "misuse (incident inc-1)"
        await p.agreement_call("EnforceGracePeriods", HEAD_A, as_of=str(until))
        await p.until_status("s1", "granted")
        # Replaying the reaction (a rebuild) does not revoke a second time.
        await p.agreement.rebuild(["agreement-sanctions"])
        assert await p.agreement.kit.store.count(["InternetAccessRevoked"]) == 1


    async def test_the_timer_restores_access_when_a_sanction_ends(
            self, platform: Platform) -> None:
        p = platform
        await sign(p, "s1", "staff")
        await p.until_status("s1", "granted")
        await publish_removal(p.nc, "s1", TODAY)  # ends today: only the calendar restores it
        await p.until_status("s1", "revoked")
        timer = asyncio.create_task(enforce_periodically(p.agreement.kit, every=0.1))
        try:
            await p.until_status("s1", "granted")
        finally:
            timer.cancel()


async def publish_removal(nc: Client, pid: str, until: date) -> None:
    """What the sanction service sends (it is not running here: the test owns its stream)."""
    js = nc.jetstream()
    await declare_service_streams(js, "sanction")
    env = Envelope(event_id=uuid4(), type="InternetAccessRemovalOrdered", schema_version=1,
                   school_id=A, aggregate_type="sanction", aggregate_id="inc-1",
                   aggregate_version=1, occurred_at=now(), correlation_id=uuid4(),
                   payload={"person_id": pid, "school_id": A, "until": str(until),
                            "reason": "misuse", "incident_id": "inc-1"})
    await js.publish(f"events.sanction.{A}.InternetAccessRemovalOrdered",
                     env.model_dump_json().encode(), headers={"Nats-Msg-Id": str(env.event_id)})


async def _value(n: int) -> int:
    return n
