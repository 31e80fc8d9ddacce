"""Schema migrations (Alembic) on SQLite and PostgreSQL.

1. Upgrading an empty database to head creates exactly the models' tables.
2. Every service's migrations equal its models (no drift), and downgrade to base empties it;
   a model the migrations lack is reported.
3. Upgrading twice is a no-op.
4. A service stopped, rebuilt and started again on the same database keeps its data.
5. Only test and bench services may go without migrations.
6. A migration that fails halfway leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
from alembic import command
from sqlalchemy import Column, Integer, MetaData, Table, insert, inspect, select, text

from services import SERVICES
from services.directory.handlers import build
from services.directory.projections import authorities
from shared import migrate
from shared.claims import system_claims
from shared.db import Database
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually


@pytest.fixture
async def directory(db_url: str, tmp_path: Path) -> AsyncIterator[Service]:
    """The directory service, built but not started (no NATS needed)."""
    service = Service("directory", build, Settings(data_dir=tmp_path, database_url=db_url))
    yield service
    await service.db.dispose()


async def table_names(db: Database) -> set[str]:
    async with db.read() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def current_version(service: Service) -> str | None:
    async with service.db.read() as conn:
        version: str | None = (await conn.execute(text(
            f"SELECT version_num FROM {migrate.version_table(service.name)}"))).scalar()
        return version


def head(service: Service) -> str | None:
    """The newest revision in the service's migrations folder."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.config_for(migrate.target_of(service)))
    return script.get_current_head()


def model_tables(service: Service) -> set[str]:
    return {name for md in migrate.target_of(service).metadatas for name in md.tables}


async def test_upgrade_creates_exactly_the_models_tables(directory: Service) -> None:
    assert await table_names(directory.db) == set()
    await migrate.upgrade(directory)
    assert await table_names(directory.db) == model_tables(directory) | {
        "alembic_version_directory"}
    assert head(directory) is not None
    assert await current_version(directory) == head(directory)


async def test_no_service_drifts_from_its_migrations(db_url: str, tmp_path: Path) -> None:
    # One database for all: each service empties it again (downgrade) before the next.
    for name in SERVICES:
        service = migrate.load_service(name, Settings(data_dir=tmp_path, database_url=db_url))
        try:
            assert await migrate.drift(service) == []
            await migrate.run(migrate.target_of(service), command.downgrade, "base")
            assert await table_names(service.db) == {migrate.version_table(name)}
            async with service.db.begin() as conn:
                await conn.execute(text(f"DROP TABLE {migrate.version_table(name)}"))
        finally:
            await service.db.dispose()


async def test_drift_is_reported(directory: Service) -> None:
    extra = MetaData()
    Table("not_migrated", extra, Column("x", Integer, primary_key=True))
    target = migrate.target_of(directory)
    diffs = await migrate.drift(target._replace(metadatas=[*target.metadatas, extra]))
    assert [(d[0], d[1].name) for d in diffs] == [("add_table", "not_migrated")]


async def test_upgrading_twice_is_a_no_op(directory: Service) -> None:
    await migrate.upgrade(directory)
    async with directory.db.begin() as conn:
        await conn.execute(insert(authorities).values(la_id="la", name="Somewhere"))
    await migrate.upgrade(directory)
    assert head(directory) is not None
    assert await current_version(directory) == head(directory)
    assert await table_names(directory.db) == model_tables(directory) | {
        "alembic_version_directory"}
    async with directory.db.read() as conn:
        assert (await conn.execute(select(authorities.c.name))).scalars().all() == ["Somewhere"]


async def test_service_restarted_on_the_same_database_keeps_its_data(
        fresh_nats: NatsServer, tmp_path: Path, db_url: str) -> None:
    settings = settings_for(fresh_nats.url, tmp_path / "data", db_url)

    async def authorities_in(service: Service) -> list[str]:
        async with service.db.read() as conn:
            return list((await conn.execute(
                select(authorities.c.la_id).order_by(authorities.c.la_id))).scalars())

    async def establish(la_id: str) -> None:
        nc = await nats.connect(fresh_nats.url)
        try:
            await RpcClient(nc).call("directory", "EstablishAuthority",
                                     {"la_id": la_id, "name": la_id.title()},
                                     system_claims(la_id))
        finally:
            await nc.close()

    async with running("directory", build, settings) as first:
        await establish("north")
        await eventually(lambda: authorities_in(first), lambda found: found == ["north"])

    # A rebuild (drop and recreate the projection's tables from the models) between two runs
    # leaves a schema the migrations still agree with.
    rebuilder = Service("directory", build, settings)
    try:
        await rebuilder.rebuild()
        assert await authorities_in(rebuilder) == ["north"]
        assert await migrate.drift(rebuilder) == []
    finally:
        await rebuilder.db.dispose()

    async with running("directory", build, settings) as second:
        assert await authorities_in(second) == ["north"]
        await establish("south")
        await eventually(lambda: authorities_in(second), lambda found: found == ["north", "south"])
        assert await second.kit.store.count() == 2


async def test_only_test_services_may_go_without_migrations(
        directory: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrate, "SERVICES_DIR", tmp_path / "nowhere")
    with pytest.raises(RuntimeError, match="directory has no migrations"):
        await migrate.upgrade(directory)
    assert await table_names(directory.db) == set()
    assert any("directory: no migrations" in line for line in await migrate.check())

    # A test service (not in services.SERVICES) gets its models created as they are.
    other = migrate.target_of(directory)._replace(name="scratch")
    await migrate.upgrade(other)
    assert await table_names(directory.db) == model_tables(directory)


BROKEN = """
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table("half", sa.Column("x", sa.Integer()))
    raise RuntimeError("migration failed halfway")
"""


async def test_a_failed_migration_leaves_nothing_behind(
        directory: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Why one transaction per upgrade: both backends roll DDL back, so the next start retries
    # from a clean state instead of tripping over half a schema.
    versions = tmp_path / "services" / "directory" / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "0001_broken.py").write_text(BROKEN)
    monkeypatch.setattr(migrate, "SERVICES_DIR", tmp_path / "services")
    with pytest.raises(RuntimeError, match="failed halfway"):
        await migrate.upgrade(directory)
    assert await table_names(directory.db) == set()
