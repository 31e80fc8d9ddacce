"""A consumer reads only the event types its projection handles (JetStream filters by type):
another projection's known events never reach it, and the service's `strays` consumer
acknowledges them unread (not parsed, not parked) while it parks unknown types; the events
after them are applied."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import pytest

from services.capture.domain.events import CaptureReceived
from shared.natsserver import NatsServer
from shared.settings import Settings
from shared.streams import events_stream
from tests.integration.test_delivery import applied_rows
from tests.support import tally
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually


@pytest.fixture
def settings(fresh_nats: NatsServer, tmp_path: Path, db_url: str) -> Settings:
    return settings_for(fresh_nats.url, tmp_path / "data", db_url)


async def test_other_projections_events_are_skipped_and_unknown_ones_parked(
        settings: Settings) -> None:
    async with running("tally", tally.build, settings) as svc:
        nc = await nats.connect(settings.nats_url)
        try:
            js = nc.jetstream()
            # Unreadable bodies: one under a registered type this projection does not handle,
            # one under a type nobody registered.
            await js.publish(f"events.tally.x.{CaptureReceived.type_name}", b"{not json")
            await js.publish("events.tally.x.NoSuchEvent", b"{not json")
        finally:
            await nc.close()
        await tally.append_tallies(svc.kit.store, "a", 1)
        await eventually(lambda: applied_rows(svc), lambda n: n == 1)
        assert await eventually(svc.strays.dead_letter_count, lambda n: n == 1) == 1
        await eventually(lambda: svc.strays.consumed(), lambda n: n == 3)
        assert svc.strays.stats.parked == 1  # the unknown type; the known one acked unread
        runner = svc.runners[0]
        assert runner.stats.received == 1 and runner.stats.parked == 0  # only its own type


async def test_an_older_durable_is_updated_in_place_without_replay(settings: Settings) -> None:
    """A durable created before consumers filtered by type (one filter for the whole stream)
    keeps its position when the service starts with per-type filters: nothing re-applied."""
    async with running("tally", tally.build, settings) as svc:
        await tally.append_tallies(svc.kit.store, "a", 5)
        await eventually(lambda: applied_rows(svc), lambda n: n == 5)
        durable = svc.runners[0].durable("tally")
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        old = (await js.consumer_info(events_stream("tally"), durable)).config
        old.filter_subjects, old.filter_subject = None, "events.tally.*.*"
        await js.add_consumer(events_stream("tally"), old)  # as the earlier release left it
        async with running("tally", tally.build, settings) as svc:
            await tally.append_tallies(svc.kit.store, "a", 2)
            await eventually(lambda: applied_rows(svc), lambda n: n == 7)
            runner = svc.runners[0]
            assert runner.stats.received == 2  # the 5 before were not delivered again
            info = await js.consumer_info(events_stream("tally"), durable)
            assert info.config.filter_subjects == ["events.tally.*.TestTallied"]
            assert info.config.filter_subject is None
    finally:
        await nc.close()


async def test_an_idle_consumer_waits_on_its_open_pull_instead_of_polling(
        settings: Settings) -> None:
    """Between events the consumer keeps one pull request open (the server sends heartbeats);
    the next event arrives on it, with no new request (fetch-style polling sent two a second)."""
    async with running("tally", tally.build, settings) as svc:
        runner = svc.runners[0]
        await tally.append_tallies(svc.kit.store, "a", 1)
        await eventually(lambda: applied_rows(svc), lambda n: n == 1)
        before = runner.pull_requests()
        await asyncio.sleep(3)  # idle: heartbeats only
        await tally.append_tallies(svc.kit.store, "a", 1)
        await eventually(lambda: applied_rows(svc), lambda n: n == 2)
        # One more at most: the open request expires after 30 s and is renewed.
        assert runner.pull_requests() - before <= 1
