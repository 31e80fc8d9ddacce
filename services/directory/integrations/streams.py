"""Many aggregates loaded in a few queries (a roster of 10,000 people in ~20).

`CommandBus.load` reads one stream per query; this is the same fold over the same rows.
It belongs in the kit (`EventStore.load_many`) once a second service needs it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Row, select

from shared.decider import Decider
from shared.eventstore import to_envelope
from shared.registry import EventRegistry
from shared.service import Kit
from shared.tables import events

C = TypeVar("C")
S = TypeVar("S")
CHUNK = 500  # ids per query: well inside SQLite's and asyncpg's parameter limits


async def load_many(kit: Kit, decider: Decider[C, S],
                    ids: Sequence[str]) -> dict[str, tuple[S, int]]:
    """State and version of each aggregate (the initial state at version 0 when new)."""
    found: dict[str, list[Row[Any]]] = defaultdict(list)
    async with kit.db.read() as conn:
        for start in range(0, len(ids), CHUNK):
            rows = await conn.execute(
                select(events).where(events.c.aggregate_type == decider.aggregate_type,
                                     events.c.aggregate_id.in_(ids[start:start + CHUNK]))
                .order_by(events.c.aggregate_id, events.c.version))
            for r in rows:
                found[r.aggregate_id].append(r)
    return {i: _fold(decider, kit.registry, found.get(i, [])) for i in ids}


def _fold(decider: Decider[C, S], registry: EventRegistry,
          rows: Sequence[Row[Any]]) -> tuple[S, int]:
    return decider.fold([registry.decode(to_envelope(r)) for r in rows]), len(rows)
