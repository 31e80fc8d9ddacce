"""Run a kit service inside the test's event loop, against a real NATS and database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from shared.service import Kit, Service, Wiring
from shared.settings import Settings


def settings_for(nats_url: str, data_dir: Path, database_url: str = "") -> Settings:
    return Settings(nats_url=nats_url, data_dir=data_dir, database_url=database_url)


@asynccontextmanager
async def running(name: str, build: Callable[[Kit], Wiring],
                  settings: Settings) -> AsyncIterator[Service]:
    service = Service(name, build, settings)
    await service.start()
    try:
        yield service
    finally:
        await service.stop()
