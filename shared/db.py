"""Database access shared by all services: one async engine per service database.

SQLite is the embedded default (one file per service, WAL, FULL sync so a commit survives a
power cut); PostgreSQL is selected by URL. SQLite writers take the lock at BEGIN
(`BEGIN IMMEDIATE`): a deferred writer that upgrades later fails with SQLITE_BUSY instead of
waiting for the other writer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pydantic_core
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
        engine_options.setdefault("json_serializer", json_text)
        # Looked up on the module so OpenTelemetry's instrumentation wraps it.
        self.engine: AsyncEngine = sa_asyncio.create_async_engine(url, **engine_options)
        if self.is_sqlite:
            _sqlite_pragmas(self.engine)
        # SQLite has one writer at a time, and a writer kept waiting polls with sleeps growing
        # to 100 ms; queueing this process's writers here hands the lock on at once instead.
        self._writers = WriteQueue() if self.is_sqlite else None

    @asynccontextmanager
    async def begin(self, *, urgent: bool = False) -> AsyncIterator[AsyncConnection]:
        """A write transaction. `urgent`: a small one someone is waiting for (a command, the
        reaction that raises an alert); on SQLite it goes before the bulk writes queued."""
        turn = self._writers.turn(urgent) if self._writers else contextlib.nullcontext()
        async with turn, self.engine.connect() as conn:
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


class WriteQueue:
    """The process's turn at SQLite's one write lock: handed on in order of arrival, except
    that urgent writers go before the bulk ones waiting (ingest batches, projection batches,
    the relay's marks). Urgent writes are single commands, so bulk ones are not starved."""

    def __init__(self) -> None:
        self._busy = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._bulk: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def turn(self, urgent: bool = False) -> AsyncIterator[None]:
        await self._acquire(urgent)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, urgent: bool) -> None:
        if not self._busy:
            self._busy = True
            return
        waiter = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._bulk).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # handed the turn just as it was cancelled: pass it on
            else:
                with contextlib.suppress(ValueError):
                    (self._urgent if urgent else self._bulk).remove(waiter)
            raise

    def _release(self) -> None:
        for queue in (self._urgent, self._bulk):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the turn passes on; still busy
                    return
        self._busy = False


def json_text(value: Any) -> str:
    """JSON columns' text: pydantic's serialiser, a few times faster than `json.dumps` on the
    hot path (every event's payload and trace, every outbox message's headers); the same JSON
    (compact, UTF-8 rather than `\\u` escapes), which `json.loads` reads back alike."""
    return pydantic_core.to_json(value).decode()


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
