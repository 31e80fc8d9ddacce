"""The incident and sanction services beside the e2e platform's directory and gateway (same
NATS), with Oakridge's matrices published for school A, and a DSL, a headteacher and a pupil
at A (the shared seed has none)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.incident import people
from services.incident.handlers import build
from services.sanction.demo import policy
from services.sanction.handlers import build as build_sanction
from shared.claims import system_claims
from shared.natsserver import NatsServer
from shared.passwords import hash_password
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, PASSWORD, A, Platform, people_of
from tests.support.procs import eventually

DSL_ID, DSL_LOGIN = "a-inc-dsl", "a.incdsl"
HEAD_ID, HEAD_LOGIN = "a-inc-head", "a.inchead"
PUPIL_ID = "a-inc-pupil"
# person id -> given name, family name, role, username
STAFF: dict[str, tuple[str, str, str, str]] = {
    DSL_ID: ("Dee", "Esel", "dsl", DSL_LOGIN),
    HEAD_ID: ("Hal", "Head", "headteacher", HEAD_LOGIN),
}


@pytest.fixture(scope="session")
async def sanction(platform: Platform, e2e_nats: NatsServer,
                   tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    service = Service("sanction", build_sanction, Settings(
        nats_url=e2e_nats.url, data_dir=tmp_path_factory.mktemp("e2e-san")))
    await service.start()
    try:
        rpc = RpcClient(platform.rpc.nc, timeout=60)  # the first writes, on a loaded machine
        for cmd in policy(A):  # Oakridge's matrices at school A
            await rpc.call("sanction", "PublishMatrix", cmd, system_claims(LA))
        yield service
    finally:
        await service.stop()


@pytest.fixture(scope="session")
async def incident(platform: Platform, e2e_nats: NatsServer, sanction: Service,
                   tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    system = system_claims(LA)

    async def directory(name: str, person_id: str, **extra: Any) -> None:
        await platform.rpc.call("directory", name, {"school_id": A, "person_id": person_id,
                                                    **extra}, system)

    password_hash = await hash_password(PASSWORD)
    for person_id, (given, family, role, login) in STAFF.items():
        await directory("EnrolPerson", person_id, kind="staff", given_name=given,
                        family_name=family)
        await directory("AssignRole", person_id, role=role)
        await directory("OpenAccount", person_id, username=login, password_hash=password_hash)
    await directory("EnrolPerson", PUPIL_ID, kind="pupil", given_name="Pip", family_name="Pupil",
                    year_group=5)
    logins = {login for *_, login in STAFF.values()}
    await eventually(lambda: people_of(platform.rpc, A),
                     lambda found: logins <= {p["username"] for p in found})
    service = Service("incident", build, Settings(nats_url=e2e_nats.url,
                                                  data_dir=tmp_path_factory.mktemp("e2e-inc")))
    await service.start()
    try:
        # Reporting, assigning and classifying need the staff, the pupil and the types.
        wanted = [*STAFF, PUPIL_ID]
        await eventually(lambda: people.known(service.kit.db, A, wanted),
                         lambda found: set(found) == set(wanted))
        [types] = [r for r in service.runners if r.projection.name == "incident-types"]
        await eventually(lambda: _applied(types.stats.applied), lambda n: n >= 2)
        yield service
    finally:
        await service.stop()


async def _applied(n: int) -> int:
    return n
