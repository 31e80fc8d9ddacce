"""Rules of the event store, on SQLite and PostgreSQL alike.

1. Appends to one aggregate are serialised by version: of two writers that loaded the same
   version, exactly one wins and the other gets a typed `ConcurrencyError`.
2. Every appended event is also in the outbox, in the same transaction.
3. A stream loads back in version order with all the envelope's metadata.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from shared.db import Database
from shared.errors import ConcurrencyError
from shared.events import Metadata
from shared.eventstore import EventStore, NewEvents
from shared.tables import kit_metadata, outbox
from tests.support.tally import Tallied


@pytest.fixture
async def store(db_url: str) -> EventStore:
    db = Database(db_url)
    await db.create_all(kit_metadata)
    return EventStore(db, "tally")


def batch(version: int, *amounts: int) -> NewEvents:
    return NewEvents("tally", "t1", version, [Tallied(amount=a) for a in amounts],
                     Metadata(school_id="oakridge"))


class TestOptimisticConcurrency:
    async def test_two_concurrent_writers_exactly_one_wins(self, store: EventStore) -> None:
        await store.append(batch(0, 1))
        results = await asyncio.gather(store.append(batch(1, 2)), store.append(batch(1, 3)),
                                       return_exceptions=True)
        winners = [r for r in results if isinstance(r, list)]
        losers = [r for r in results if isinstance(r, ConcurrencyError)]
        assert len(winners) == 1 and len(losers) == 1
        loaded = await store.load("tally", "t1")
        assert [e.aggregate_version for e in loaded] == [1, 2]
        assert loaded[1].payload == winners[0][0].payload

    async def test_many_racing_writers_never_both_win(self, store: EventStore) -> None:
        results = await asyncio.gather(*(store.append(batch(0, i)) for i in range(8)),
                                       return_exceptions=True)
        assert sum(isinstance(r, list) for r in results) == 1
        assert all(isinstance(r, list | ConcurrencyError) for r in results)
        assert len(await store.load("tally", "t1")) == 1

    async def test_stale_writer_gets_conflict_not_overwrite(self, store: EventStore) -> None:
        await store.append(batch(0, 1, 2))
        with pytest.raises(ConcurrencyError) as err:
            await store.append(batch(1, 99))
        assert err.value.expected == 1 and err.value.actual == 2
        assert [e.payload["amount"] for e in await store.load("tally", "t1")] == [1, 2]

    async def test_a_writer_ahead_of_the_stream_is_refused(self, store: EventStore) -> None:
        with pytest.raises(ConcurrencyError):
            await store.append(batch(5, 1))


class TestEnvelope:
    async def test_metadata_round_trips(self, store: EventStore) -> None:
        meta = Metadata(school_id="glenfield")
        [env] = await store.append(NewEvents("tally", "t9", 0, [Tallied(amount=4)], meta))
        [loaded] = await store.load("tally", "t9")
        assert loaded == env
        assert loaded.school_id == "glenfield" and loaded.correlation_id == meta.correlation_id
        assert loaded.type == "TestTallied" and loaded.schema_version == 1
        assert loaded.occurred_at.tzinfo is not None

    async def test_every_event_is_in_the_outbox(self, store: EventStore) -> None:
        await store.append(batch(0, 1, 2, 3))
        async with store.db.read() as conn:
            count = (await conn.execute(select(func.count()).select_from(outbox))).scalar_one()
        assert count == 3
