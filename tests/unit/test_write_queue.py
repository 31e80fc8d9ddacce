"""SQLite's one write lock, taken in turn by the process's writers: in order of arrival, but
an urgent writer (a command, the alert reaction) before the bulk ones already waiting."""

from __future__ import annotations

import asyncio

from shared.db import WriteQueue


async def _write(queue: WriteQueue, name: str, urgent: bool, order: list[str],
                 hold: asyncio.Event | None = None) -> None:
    async with queue.turn(urgent):
        order.append(name)
        if hold is not None:
            await hold.wait()


async def _queued(n: int) -> None:
    for _ in range(n):  # let the tasks started so far reach their place in the queue
        await asyncio.sleep(0)


async def test_urgent_writers_go_before_bulk_writers_already_waiting() -> None:
    queue, order, hold = WriteQueue(), list[str](), asyncio.Event()
    first = asyncio.create_task(_write(queue, "ingest-1", False, order, hold))
    await _queued(2)
    waiting = [asyncio.create_task(_write(queue, name, urgent, order))
               for name, urgent in [("ingest-2", False), ("projection", False),
                                    ("grade", True), ("alert", True)]]
    await _queued(2)
    hold.set()
    await asyncio.gather(first, *waiting)
    assert order == ["ingest-1", "grade", "alert", "ingest-2", "projection"]


async def test_a_writer_cancelled_while_waiting_does_not_keep_the_lock() -> None:
    queue, order, hold = WriteQueue(), list[str](), asyncio.Event()
    first = asyncio.create_task(_write(queue, "first", False, order, hold))
    await _queued(2)
    gone = asyncio.create_task(_write(queue, "gone", True, order))
    after = asyncio.create_task(_write(queue, "after", False, order))
    await _queued(2)
    gone.cancel()
    hold.set()
    await asyncio.gather(first, after)
    assert gone.cancelled()
    assert order == ["first", "after"]
    async with queue.turn():  # free again
        order.append("last")
    assert order[-1] == "last"


async def test_a_writer_cancelled_as_its_turn_came_passes_the_turn_on() -> None:
    queue, order = WriteQueue(), list[str]()
    async with queue.turn():
        handed = asyncio.create_task(_write(queue, "handed", False, order))
        after = asyncio.create_task(_write(queue, "after", False, order))
        await _queued(2)
    handed.cancel()  # its turn was handed to it just now; it has not run yet
    await after
    assert handed.cancelled()
    assert order == ["after"]
