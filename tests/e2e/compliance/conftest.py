"""The compliance service beside the e2e platform's directory and gateway (same NATS)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.compliance.handlers import build
from shared.natsserver import NatsServer
from shared.service import Service
from shared.settings import Settings


@pytest.fixture(scope="session")
async def compliance(e2e_nats: NatsServer,
                     tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    data = tmp_path_factory.mktemp("e2e-compliance")
    service = Service("compliance", build, Settings(nats_url=e2e_nats.url, data_dir=data))
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
