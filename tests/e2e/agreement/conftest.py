"""The agreement service beside the e2e platform's directory and gateway (same NATS)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.agreement.handlers import build
from shared.claims import system_claims
from shared.natsserver import NatsServer
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, PEOPLE, A, Platform
from tests.support.procs import eventually


@pytest.fixture(scope="session")
async def agreement(platform: Platform, e2e_nats: NatsServer,
                    tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    data = tmp_path_factory.mktemp("e2e-agreement")
    service = Service("agreement", build, Settings(nats_url=e2e_nats.url, data_dir=data))
    await service.start()
    try:
        # Signing needs the people: wait until the service has caught up with the directory.
        seeded = {pid for pid, school, *_ in PEOPLE if school == A}
        await eventually(lambda: platform.rpc.call("agreement", "GetRegister", {"school_id": A},
                                                   system_claims(LA)),
                         lambda page: seeded <= {r["person_id"] for r in page["items"]})
        yield service
    finally:
        await service.stop()
