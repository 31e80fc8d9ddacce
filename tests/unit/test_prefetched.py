"""A rebuild reads its source ahead (`shared.projection.prefetched`) while it writes: given a
source, when it is read through the read-ahead, then every batch comes in order, a failure of
the source reaches the reader, and a reader that stops early stops the source too."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.projection import prefetched


async def numbers(n: int, fail_at: int | None = None,
                  closed: list[bool] | None = None) -> AsyncIterator[int]:
    try:
        for i in range(n):
            if i == fail_at:
                raise ConnectionError("the stream went away")
            yield i
    finally:
        if closed is not None:
            closed.append(True)


async def test_every_item_comes_in_order() -> None:
    assert [i async for i in prefetched(numbers(50))] == list(range(50))


async def test_a_failing_source_fails_the_reader_after_what_came_before() -> None:
    seen = []
    with pytest.raises(ConnectionError, match="went away"):
        async for i in prefetched(numbers(10, fail_at=4)):
            seen.append(i)
    assert seen == [0, 1, 2, 3]


async def test_a_reader_that_stops_early_stops_the_source() -> None:
    closed: list[bool] = []
    reader = prefetched(numbers(1000, closed=closed))
    async for i in reader:
        if i == 3:
            break
    await reader.aclose()
    assert closed == [True]
