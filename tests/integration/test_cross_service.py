"""A service consuming another service's events, started before that service exists.

The consumer waits for the owner's stream instead of failing or blocking its own start-up,
then applies the owner's events like its own.
"""

from __future__ import annotations

from pathlib import Path

from shared.natsserver import NatsServer
from shared.rpc import RpcRouter
from shared.service import Kit, Wiring
from tests.support import tally
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually


def build_watcher(_: Kit) -> Wiring:
    return Wiring(rpc=RpcRouter("watcher"), projections=[tally.TallyView()])


async def test_a_consumer_waits_for_a_stream_that_appears_later(
    fresh_nats: NatsServer, tmp_path: Path
) -> None:
    settings = settings_for(fresh_nats.url, tmp_path / "data")
    async with running("watcher", build_watcher, settings) as watcher:
        async with running("tally", tally.build, settings) as owner:
            await tally.append_tallies(owner.kit.store, "a", 5)
            await eventually(lambda: tally.snapshot(watcher.db), lambda s: len(s[0]) == 5)
        _, totals = await tally.snapshot(watcher.db)
        assert totals == [("a", 5, 15)]
