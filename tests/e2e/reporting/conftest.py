"""The reporting service beside the e2e platform (same NATS, with the incident service), and
readers who can sign in: Oakridge's headteacher and a governor, Glenfield's headteacher."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.reporting.handlers import build
from shared.claims import system_claims
from shared.natsserver import NatsServer
from shared.passwords import hash_password
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, PASSWORD, A, B, Platform, people_of
from tests.e2e.incident.conftest import incident  # noqa: F401 - the fixture, for these tests
from tests.support.procs import eventually

# person id, school, kind, role, login
READERS = [("a-rep-head", A, "staff", "headteacher", "a.rephead"),
           ("a-rep-gov", A, "governor", "governor", "a.repgov"),
           ("b-rep-head", B, "staff", "headteacher", "b.rephead")]


async def _until_listed(platform: Platform, school: str, logins: set[str]) -> None:
    await eventually(lambda: people_of(platform.rpc, school),
                     lambda found: {p["username"] for p in found} >= logins)


@pytest.fixture(scope="session")
async def reporting(platform: Platform, e2e_nats: NatsServer,
                    tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    system = system_claims(LA)
    password_hash = await hash_password(PASSWORD)
    for pid, school, kind, role, login in READERS:
        for name, extra in (("EnrolPerson", {"kind": kind, "given_name": "Rita",
                                             "family_name": "Reader"}),
                            ("AssignRole", {"role": role}),
                            ("OpenAccount", {"username": login,
                                             "password_hash": password_hash})):
            await platform.rpc.call("directory", name, {"school_id": school, "person_id": pid,
                                                        **extra}, system)
    for school in (A, B):
        await _until_listed(platform, school, {r[4] for r in READERS if r[1] == school})
    service = Service("reporting", build, Settings(
        nats_url=e2e_nats.url, data_dir=tmp_path_factory.mktemp("e2e-rep")))
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
