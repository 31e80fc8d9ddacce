"""Batches from integrators (captures, filtering summaries): each item validated on its own,
with a precise reason for a bad one, and the good ones appended once each, in one
transaction, however often the product sends them again."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.errors import ConcurrencyError, InvalidInput
from shared.events import Event, Metadata
from shared.eventstore import EventStore, NewEvents

M = TypeVar("M", bound=BaseModel)


def stream_id(*parts: str) -> str:
    """A fixed-length aggregate id for an id made of parts that may be long (the store keeps
    up to 128 characters): the same parts always name the same stream."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def validated(model: type[M], raw: Any) -> M:
    """`raw` as `model`, or InvalidInput naming every bad field (the first one as `field`)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        where = ".".join(str(p) for p in errors[0]["loc"]) or None
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        raise InvalidInput(reasons, field=where) from None


# Rows kept beside the events (erasable content), written in the events' transaction.
Beside = Callable[[AsyncConnection, set[str]], Awaitable[None]]


async def append_new(store: EventStore, aggregate_type: str,
                     fresh: Mapping[str, Sequence[Event]], meta: Metadata,
                     beside: Beside | None = None) -> set[str]:
    """Start the streams of `fresh` (aggregate id -> its first events) that do not exist yet;
    returns the ids started now. A concurrent re-send of the same items loses the race on the
    unique stream version: look again and retry. `beside` writes what belongs with the
    streams started, in the same transaction."""
    for _ in range(3):
        found = await store.versions([(aggregate_type, i) for i in fresh])
        batches = [NewEvents(aggregate_type, i, 0, events, meta)
                   for i, events in fresh.items() if not found[(aggregate_type, i)]]
        if not batches:
            return set()
        started = {b.aggregate_id for b in batches}
        try:
            if beside is None:
                await store.append(*batches)
            else:
                async with store.db.begin() as conn:
                    await beside(conn, started)  # first: an inline projection reads it
                    await store.append_in(conn, *batches)
                store.appended.set()
        except ConcurrencyError:
            continue
        return started
    raise ConcurrencyError(f"{aggregate_type} batch", 0)
