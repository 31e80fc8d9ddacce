"""A minimal service on the kit, used by the kit's fault tests.

Its projection keeps one row per event *and* running totals: an event applied twice shows up
as totals that disagree with the rows; an event lost shows up as a missing row. An event whose
note is "poison" makes the projection fail every time.

Run as a process: `python tests/support/tally.py serve` (a service like any other) or
`python tests/support/tally.py append AGG N` (appends N events in one transaction).
"""

from __future__ import annotations

import asyncio
import sys
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.claims import Claims
from shared.db import Database
from shared.events import Envelope, Event, Metadata
from shared.eventstore import EventStore, NewEvents
from shared.projection import Projection
from shared.registry import registry
from shared.rpc import RpcRouter
from shared.service import Kit, Service, Wiring
from shared.settings import Settings
from shared.tables import kit_metadata

SERVICE = "tally"


@registry.register
class Tallied(Event):
    type_name = "TestTallied"
    amount: int
    note: str = ""


metadata = MetaData()
rows = Table("tally_rows", metadata,
             Column("event_id", Uuid, primary_key=True),
             Column("aggregate_id", String(64), nullable=False),
             Column("version", Integer, nullable=False),
             Column("amount", Integer, nullable=False))
totals = Table("tally_totals", metadata,
               Column("aggregate_id", String(64), primary_key=True),
               Column("events", Integer, nullable=False),
               Column("total", Integer, nullable=False))


class TallyView(Projection):
    name = "tally-view"
    sources = (SERVICE,)
    handles = frozenset({Tallied.type_name})
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        assert isinstance(event, Tallied)
        if event.note == "poison":
            raise RuntimeError("this event can never be applied")
        await conn.execute(insert(rows).values(event_id=env.event_id, amount=event.amount,
                                               aggregate_id=env.aggregate_id,
                                               version=env.aggregate_version))
        found = await conn.execute(update(totals).where(
            totals.c.aggregate_id == env.aggregate_id).values(
            events=totals.c.events + 1, total=totals.c.total + event.amount))
        if not found.rowcount:
            await conn.execute(insert(totals).values(aggregate_id=env.aggregate_id, events=1,
                                                     total=event.amount))


class AppendTallies(BaseModel):
    aggregate_id: str
    count: int
    note: str = ""


def build(kit: Kit) -> Wiring:
    rpc = RpcRouter(SERVICE)

    @rpc.handler("Append")
    async def append(cmd: AppendTallies, caller: Claims) -> int:
        return len(await append_tallies(kit.store, cmd.aggregate_id, cmd.count, cmd.note))

    return Wiring(rpc=rpc, projections=[TallyView()])


async def append_tallies(store: EventStore, aggregate_id: str, count: int,
                         note: str = "") -> list[Envelope]:
    version = len(await store.load("tally", aggregate_id))
    events = [Tallied(amount=version + i, note=note) for i in range(1, count + 1)]
    return await store.append(NewEvents("tally", aggregate_id, version, events,
                                        Metadata(school_id="test-school")))


Row = tuple[UUID, str, int, int]
Total = tuple[str, int, int]


async def count(db: Database) -> int:
    """Rows applied so far: a cheap probe to poll (a snapshot of 20,000 rows every 0.1 s
    took a core of its own from the service it waits for on a loaded machine)."""
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(rows))).scalar_one())


async def snapshot(db: Database) -> tuple[list[Row], list[Total]]:
    """The projection's full contents, in a stable order."""
    async with db.read() as conn:
        r = [(x.event_id, x.aggregate_id, x.version, x.amount)
             for x in await conn.execute(select(rows).order_by(rows.c.event_id))]
        t = [(x.aggregate_id, x.events, x.total)
             for x in await conn.execute(select(totals).order_by(totals.c.aggregate_id))]
    return r, t


async def _append_main(aggregate_id: str, count: int) -> None:
    db = Database(Settings().database_url_for(SERVICE))
    await db.create_all(kit_metadata)
    await append_tallies(EventStore(db, SERVICE), aggregate_id, count)
    await db.dispose()


if __name__ == "__main__":
    if sys.argv[1:2] == ["append"]:
        asyncio.run(_append_main(sys.argv[2], int(sys.argv[3])))
    else:
        sys.argv[1:2] = ["run"] if sys.argv[1:2] == ["serve"] else sys.argv[1:2]
        Service(SERVICE, build).main()
