"""One-off: move the erasable text out of the events stored before it was kept outside them.

`python -m shared.content_migrate capture incident` rewrites, in each service's own event
store, every stored event of an old version that held free text inline (declared with
`content.inline_text` next to its upcaster) into the current version: the text goes to the
service's erasable content under a new ref (or the ref the event already had), the event and
its outbox message then carry only the ref. A stream at a time, `--batch` streams per
transaction, with progress; run again it finds nothing left to do (idempotent).

Text a retention purge already removed stays removed: when the record's stream holds an
`Erasure` of that kind of text at or after the event, the text is dropped, not moved.

What it cannot reach: the copies JetStream still holds of the messages published before
(until the stream's retention ages them out, or the stream is purged), parked messages in
`dead_letters`, and what other services' read models copied from them. Rebuild the service's
projections afterwards (`python -m services.<name> rebuild`): until then they show what they
showed; after it, they read the moved text from the erasable content.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared import content
from shared.content import INLINE, Erasable, Erasure, InlineText
from shared.db import Database
from shared.events import Envelope
from shared.eventstore import load_in
from shared.registry import EventRegistry
from shared.tables import events, outbox

log = logging.getLogger(__name__)
BATCH = 100  # streams per transaction
Progress = Callable[[int, int, int], None]  # streams done, streams in all, events rewritten


@dataclass
class Report:
    streams: int = 0
    events: int = 0  # rewritten
    moved: int = 0  # of those, whose text was moved (the rest: erased before, dropped)


def _old() -> ColumnElement[bool]:
    return or_(*(and_(events.c.type == t, events.c.schema_version == v) for t, v in INLINE))


async def pending(db: Database) -> list[tuple[str, str]]:
    """The streams still holding an old event with inline text."""
    if not INLINE:
        return []
    async with db.read() as conn:
        rows = await conn.execute(select(events.c.aggregate_type, events.c.aggregate_id)
                                  .where(_old()).distinct()
                                  .order_by(events.c.aggregate_type, events.c.aggregate_id))
        return [(r.aggregate_type, r.aggregate_id) for r in rows]


async def migrate(db: Database, registry: EventRegistry, batch: int = BATCH,
                  progress: Progress | None = None) -> Report:
    streams = await pending(db)
    report = Report()
    for i in range(0, len(streams), batch):
        async with db.begin() as conn:
            for aggregate_type, aggregate_id in streams[i:i + batch]:
                await _stream(conn, registry, aggregate_type, aggregate_id, report)
        report.streams = min(i + batch, len(streams))
        if progress is not None:
            progress(report.streams, len(streams), report.events)
    return report


async def _stream(conn: AsyncConnection, registry: EventRegistry, aggregate_type: str,
                  aggregate_id: str, report: Report) -> None:
    stream = await load_in(conn, aggregate_type, aggregate_id)
    owners: dict[tuple[str, str], list[Envelope]] = {(aggregate_type, aggregate_id): stream}
    for k, env in enumerate(stream):
        old = INLINE.get((env.type, env.schema_version))
        if old is None:
            continue
        owner = old.owner(env, stream[:k]) if old.owner else (aggregate_type, aggregate_id)
        if owner not in owners:
            owners[owner] = await load_in(conn, *owner)
        texts = {field: str(env.payload.get(key) or "") for key, field in old.fields.items()}
        texts = {f: t for f, t in texts.items() if t}
        if texts and _erased(registry, old, env, owners[owner]):
            texts = {}
        event = registry.decode(env)  # the current version, its text dropped by the upcaster
        ref = getattr(event, "content_ref", None) or (content.new_ref() if texts else None)
        if texts and ref is not None:
            await _keep(conn, Erasable(ref, env.school_id, owner[0], owner[1], texts))
            report.moved += 1
        new = env.model_copy(update={
            "schema_version": event.schema_version,
            "payload": event.model_copy(update={"content_ref": ref}).model_dump(mode="json")})
        await conn.execute(update(events).where(events.c.event_id == env.event_id)
                           .values(schema_version=new.schema_version, payload=new.payload))
        await conn.execute(update(outbox).where(outbox.c.event_id == env.event_id)
                           .values(data=new.model_dump_json().encode()))
        stream[k] = new
        report.events += 1


def _erased(registry: EventRegistry, old: InlineText, env: Envelope,
            owner: Sequence[Envelope]) -> bool:
    """A purge of this kind of text on the record, at or after the event: it stays gone."""
    for other in owner:
        model = registry.model(other.type) if registry.knows(other.type) else None
        if model is not None and issubclass(model, Erasure) \
                and other.occurred_at >= env.occurred_at \
                and old.erased_with & set(other.payload.get("fields", [])):
            return True
    return False


async def _keep(conn: AsyncConnection, item: Erasable) -> None:
    """Only the fields not kept yet under the ref (a v1 transfer's summaries already are)."""
    have = (await content.texts_in(conn, [item.ref])).get(item.ref, {})
    fields = {f: t for f, t in item.fields.items() if f not in have}
    if fields:
        await content.keep_in(conn, [Erasable(item.ref, item.school_id, item.aggregate_type,
                                              item.aggregate_id, fields)])


async def main(names: Sequence[str], batch: int) -> None:
    from shared.migrate import load_service
    from shared.registry import registry
    from shared.settings import Settings

    for name in names:
        service = load_service(name, Settings())
        try:
            def shown(done: int, total: int, rewritten: int, name: str = name) -> None:
                print(f"{name}: {done}/{total} streams, {rewritten} events rewritten",
                      flush=True)

            found = await migrate(service.db, registry, batch, shown)
            print(f"{name}: done: {found.events} events rewritten in {found.streams} streams "
                  f"({found.moved} with their text moved, the rest erased before)", flush=True)
        finally:
            await service.db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("services", nargs="+", help="e.g. capture incident")
    parser.add_argument("--batch", type=int, default=BATCH, help="streams per transaction")
    args = parser.parse_args()
    asyncio.run(main(args.services, args.batch))
