"""Shared fixtures: a real nats-server and real databases (SQLite, PostgreSQL)."""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url

from shared.natsserver import NatsServer

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """One broker for the whole run; tests isolate themselves by stream/subject names."""
    server = NatsServer(store_dir=tmp_path_factory.mktemp("nats"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def nats_url(nats_server: NatsServer) -> str:
    return nats_server.url


@pytest.fixture
def fresh_nats(tmp_path: Path) -> Iterator[NatsServer]:
    """A private broker that a test may kill or restart without disturbing others."""
    server = NatsServer(store_dir=tmp_path / "nats")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


def _asyncpg_dsn(url: URL) -> str:
    # asyncpg wants a plain libpq-style DSN, not SQLAlchemy's "+asyncpg" dialect.
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A brand-new database per test, dropped afterwards.

    Skips only when nothing listens at the address: any other failure (bad
    credentials, missing admin database) is a real error and must surface.
    """
    admin = make_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(admin), timeout=10)
    except OSError as exc:
        if isinstance(exc, ConnectionRefusedError) or exc.errno == errno.ECONNREFUSED:
            pytest.skip(f"PostgreSQL not reachable at {admin.render_as_string()}")
        raise
    name = f"t_{uuid.uuid4().hex}"
    try:
        # asyncpg runs outside a transaction unless asked, as CREATE DATABASE requires.
        await conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin.set(database=name).render_as_string(hide_password=False)
        finally:
            # FORCE (PG 13+) ends sessions a test left open, so the drop cannot hang.
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs the requesting test once per backend."""
    url = request.getfixturevalue(f"{request.param}_url")
    assert isinstance(url, str)
    return url
