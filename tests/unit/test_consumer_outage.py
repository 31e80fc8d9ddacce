"""A consumer's task outlives a broken connection at any step, including before it pulls: the
chaos proof once restarted NATS while a just-restarted service was checking for its stream, and
that consumer's task ended silently (its read model never caught up). JetStream here is a stand-in
that fails the first calls; the behaviour against the real server is `make chaos`'s."""

from __future__ import annotations

import asyncio
from typing import Any

from nats.errors import TimeoutError as NatsTimeout

from shared.consumer import ProjectionRunner
from shared.db import Database
from shared.registry import EventRegistry
from tests.support.tally import TallyView


class BrokenThenBack:
    """Fails `stream_info` once with a timeout and `add_consumer` once with an unexpected
    error, then records that the consumer was declared."""

    def __init__(self) -> None:
        self.failures = [NatsTimeout(), RuntimeError("connection reset mid-request")]
        self.declared = asyncio.Event()

    async def stream_info(self, name: str) -> Any:
        if self.failures and isinstance(self.failures[0], NatsTimeout):
            raise self.failures.pop(0)
        return object()

    async def add_consumer(self, stream: str, config: Any) -> Any:
        if self.failures:
            raise self.failures.pop(0)
        self.declared.set()
        raise asyncio.CancelledError  # stop here: the pull itself is not this test's business


async def test_the_consumer_declares_again_after_failures_before_its_first_pull() -> None:
    db = Database("sqlite+aiosqlite://")
    js = BrokenThenBack()
    runner = ProjectionRunner("tally", TallyView(), db, EventRegistry())
    task = asyncio.create_task(runner.consume(js, "tally"))  # type: ignore[arg-type]
    try:
        await asyncio.wait_for(js.declared.wait(), 30)  # a bound, not a timing claim
        assert js.failures == []
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.dispose()
