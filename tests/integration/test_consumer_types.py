"""A consumer reads only the event types its projection handles: another projection's known
events are acknowledged unread (not parsed, not parked), while unknown types are still
parked; the events after them are applied."""

from __future__ import annotations

from pathlib import Path

import nats
import pytest

from services.capture.domain.events import CaptureReceived
from shared.natsserver import NatsServer
from shared.settings import Settings
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
        await eventually(lambda: applied_rows(svc), lambda n: n == 1)  # in order: after both
        runner = svc.runners[0]
        assert await runner.dead_letter_count() == 1
        assert runner.stats.parked == 1
