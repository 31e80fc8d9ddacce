"""Inline projections (`Projection.inline`): a read model of the service's own events that the
event store applies in the appending transaction, against a real NATS server and SQLite /
PostgreSQL.

Given a service with an inline projection, when events are appended, then they are in the read
model as the append returns, still published for other services, and no JetStream consumer
exists for it. Given a projection that had a consumer which had not applied everything, when
the service starts with it inline, then what was missing is applied from the store, once, and
the old consumer is removed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js.errors import NotFoundError

from shared.consumer import durable_name
from shared.db import Database
from shared.eventstore import EventStore
from shared.natsserver import NatsServer
from shared.service import Kit, Wiring
from shared.settings import Settings
from shared.streams import events_stream
from tests.support import tally
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually


class InlineTally(tally.TallyView):
    inline = True


def build_inline(kit: Kit) -> Wiring:
    return Wiring(rpc=tally.build(kit).rpc, projections=[InlineTally()])


@pytest.fixture
def settings(fresh_nats: NatsServer, tmp_path: Path, db_url: str) -> Settings:
    return settings_for(fresh_nats.url, tmp_path / "data", db_url)


async def consumer_exists(settings: Settings) -> bool:
    nc = await nats.connect(settings.nats_url)
    try:
        await nc.jetstream().consumer_info(events_stream("tally"), durable_name(
            "tally", InlineTally(), "tally"))
        return True
    except NotFoundError:
        return False
    finally:
        await nc.close()


async def stream_count(settings: Settings) -> int:
    nc = await nats.connect(settings.nats_url)
    try:
        return int((await nc.jetstream().stream_info(events_stream("tally"))).state.messages)
    finally:
        await nc.close()


def consistent(snapshot: tuple[list[Any], list[Any]]) -> bool:
    """Each aggregate's totals agree with its rows (an event applied twice breaks this)."""
    rows, totals = snapshot
    return all(events == sum(1 for r in rows if r[1] == agg) and
               total == sum(r[3] for r in rows if r[1] == agg) for agg, events, total in totals)


async def test_appended_events_are_in_the_read_model_when_the_append_returns(
        settings: Settings) -> None:
    async with running("tally", build_inline, settings) as svc:
        await tally.append_tallies(svc.kit.store, "a", 7)
        assert await tally.count(svc.db) == 7  # no waiting: same transaction
        await tally.append_tallies(svc.kit.store, "b", 3)
        assert await tally.count(svc.db) == 10
        assert consistent(await tally.snapshot(svc.db))
        await eventually(lambda: stream_count(settings), lambda n: n == 10)  # still published
        assert not await consumer_exists(settings)


async def test_a_projection_made_inline_catches_up_from_the_store_once(
        settings: Settings) -> None:
    async with running("tally", tally.build, settings) as svc:  # consumed, as before
        await tally.append_tallies(svc.kit.store, "a", 5)
        await eventually(lambda: tally.count(svc.db), lambda n: n == 5)
    # Stored while no consumer ran (as when a service is upgraded with a lag).
    db = Database(settings.database_url_for("tally"))
    try:
        await tally.append_tallies(EventStore(db, "tally"), "a", 3)
        await tally.append_tallies(EventStore(db, "tally"), "c", 2)
    finally:
        await db.dispose()
    assert await consumer_exists(settings)
    async with running("tally", build_inline, settings) as svc:
        assert await tally.count(svc.db) == 10  # applied at start, before any command
        assert not await consumer_exists(settings)
        await tally.append_tallies(svc.kit.store, "c", 1)
        assert await tally.count(svc.db) == 11
    async with running("tally", build_inline, settings) as svc:  # a second start adds nothing
        assert await tally.count(svc.db) == 11
        assert consistent(await tally.snapshot(svc.db))
