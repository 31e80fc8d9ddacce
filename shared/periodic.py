"""A service's timer (for `Wiring.tasks`): one step now and then every so often; a failed
step is logged and tried again at the next turn, never ending the timer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sized
from typing import Any

from shared.events import stop_if_cancelled

Job = Callable[[], Coroutine[Any, Any, None]]
_log = logging.getLogger(__name__)


def every(seconds: float, step: Callable[[], Awaitable[Sized | int | None]], name: str,
          did: str | None = None, log: logging.Logger = _log,
          level: int = logging.INFO) -> Job:
    """`did` is logged with how many things a step did (e.g. "sent %d reminders"), when any:
    a step answers what it did, or how many."""
    async def run() -> None:
        while True:
            try:
                done = await step()
                count = len(done) if isinstance(done, Sized) else done or 0
                if did and count:
                    log.log(level, did, count)
            except Exception:
                stop_if_cancelled()
                log.exception("%s failed; trying again later", name.replace("_", " "))
            await asyncio.sleep(seconds)

    run.__name__ = name  # the task's name
    return run
