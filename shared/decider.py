"""Deciders: pure `decide(command, state) -> events` and `evolve(state, event) -> state`,
and the one place that runs them against the event store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from shared import eventstore
from shared.content import Erasable
from shared.errors import ConcurrencyError
from shared.events import Envelope, Event, Metadata
from shared.eventstore import EventStore, NewEvents
from shared.registry import EventRegistry

C = TypeVar("C")
S = TypeVar("S")


@dataclass(frozen=True)
class Decider(Generic[C, S]):
    aggregate_type: str
    initial: S
    decide: Callable[[C, S], Sequence[Event]]
    evolve: Callable[[S, Event], S]

    def fold(self, events: Sequence[Event], state: S | None = None) -> S:
        return reduce(self.evolve, events, self.initial if state is None else state)


@dataclass(frozen=True)
class Outcome(Generic[S]):
    state: S
    envelopes: list[Envelope]


async def load_in(conn: AsyncConnection, registry: EventRegistry, decider: Decider[C, S],
                  aggregate_id: str) -> tuple[S, int]:
    """An aggregate's state and version, read inside the caller's transaction (a reaction
    decides and appends in the one transaction the kit opened for it)."""
    stored = await eventstore.load_in(conn, decider.aggregate_type, aggregate_id)
    return decider.fold([registry.decode(env) for env in stored]), len(stored)


class CommandBus:
    """Load, decide, append; re-decides on a concurrency conflict, since decide is pure."""

    def __init__(self, store: EventStore, registry: EventRegistry, retries: int = 3) -> None:
        self.store, self.registry, self.retries = store, registry, retries

    async def load(self, decider: Decider[C, S], aggregate_id: str) -> tuple[S, int]:
        stored = await self.store.load(decider.aggregate_type, aggregate_id)
        state = decider.fold([self.registry.decode(env) for env in stored])
        return state, len(stored)

    async def load_many(self, decider: Decider[C, S],
                        ids: Sequence[str]) -> dict[str, tuple[S, int]]:
        """State and version of many aggregates in a few queries (bulk imports)."""
        stored = await self.store.load_many(decider.aggregate_type, ids)
        return {i: (decider.fold([self.registry.decode(e) for e in envs]), len(envs))
                for i, envs in stored.items()}

    async def execute(
        self, decider: Decider[C, S], aggregate_id: str, command: C, meta: Metadata,
        keep: Sequence[Erasable] = (),
    ) -> Outcome[S]:
        for attempt in range(self.retries + 1):
            state, version = await self.load(decider, aggregate_id)
            new = decider.decide(command, state)
            if not new:
                return Outcome(state, [])
            try:
                envelopes = await self.store.append(NewEvents(
                    decider.aggregate_type, aggregate_id, version, new, meta), keep=keep,
                    urgent=True)
            except ConcurrencyError:
                if attempt == self.retries:
                    raise
                continue
            return Outcome(decider.fold(new, state), envelopes)
        raise AssertionError("unreachable")
