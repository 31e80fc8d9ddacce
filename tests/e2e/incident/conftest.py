"""The incident service beside the e2e platform's directory and gateway (same NATS), with a
DSL who can sign in (the shared seed has none)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.incident.handlers import build
from shared.claims import system_claims
from shared.natsserver import NatsServer
from shared.passwords import hash_password
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, PASSWORD, A, Platform, people_of
from tests.support.procs import eventually

DSL_ID, DSL_LOGIN = "a-inc-dsl", "a.incdsl"


@pytest.fixture(scope="session")
async def incident(platform: Platform, e2e_nats: NatsServer,
                   tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    system = system_claims(LA)
    password_hash = await hash_password(PASSWORD)
    for name, extra in (("EnrolPerson", {"kind": "staff", "given_name": "Dee",
                                         "family_name": "Esel"}),
                        ("AssignRole", {"role": "dsl"}),
                        ("OpenAccount", {"username": DSL_LOGIN, "password_hash": password_hash})):
        await platform.rpc.call("directory", name, {"school_id": A, "person_id": DSL_ID,
                                                    **extra}, system)
    await eventually(lambda: people_of(platform.rpc, A),
                     lambda found: any(p["username"] == DSL_LOGIN for p in found))
    service = Service("incident", build, Settings(nats_url=e2e_nats.url,
                                                  data_dir=tmp_path_factory.mktemp("e2e-inc")))
    await service.start()
    try:
        # Reporting and assigning need the staff: wait until the service knows them.
        [people] = [r for r in service.runners if r.projection.name == "incident-people"]
        await eventually(lambda: _applied(people.stats.applied), lambda n: n >= 4)
        yield service
    finally:
        await service.stop()


async def _applied(n: int) -> int:
    return n
