"""Database access shared by all services: one async engine per service database.

SQLite is the embedded default (one file per service, WAL, FULL sync so a commit survives a
power cut); PostgreSQL is selected by URL. SQLite writers take the lock at BEGIN
(`BEGIN IMMEDIATE`): a deferred writer that upgrades later fails with SQLITE_BUSY instead of
waiting for the other writer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Named constraints, so a later migration can drop or alter them (SQLite included).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """The MetaData every service's tables are declared on."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class Database:
    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            engine_options.setdefault("connect_args", {"timeout": 60})
        # Looked up on the module so OpenTelemetry's instrumentation wraps it.
        self.engine: AsyncEngine = sa_asyncio.create_async_engine(url, **engine_options)
        if self.is_sqlite:
            _sqlite_pragmas(self.engine)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction."""
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(esafety_write=True)
            async with conn.begin():
                yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction (never blocks SQLite writers in WAL mode)."""
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    async def create_all(self, *metadatas: MetaData) -> None:
        async with self.begin() as conn:
            for md in metadatas:
                await conn.run_sync(md.create_all)

    async def drop_tables(self, metadata: MetaData) -> None:
        async with self.begin() as conn:
            await conn.run_sync(metadata.drop_all)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get("esafety_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
