"""Run a kit service inside the test's event loop, against a real NATS and database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import func, select

from shared.service import Kit, Service, Wiring
from shared.settings import Settings
from shared.tables import processed_events


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


async def applied(service: Service, projection: str) -> int:
    """Events the projection has applied (its processed records): counts alike whether it
    is consumed or inline."""
    async with service.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(processed_events).where(
            processed_events.c.consumer == projection))).scalar_one())
