"""Erasable content: personal free text kept outside the immutable events.

Events are stored forever, published to JetStream and copied into other services' read
models, so text a retention rule must be able to erase never goes into them. The owning
service writes the text here (`Erasable`, passed to `EventStore.append(keep=...)`) in the same
transaction as the event, which carries only the reference (`ref`). Only that service's own
database holds the text; other services see the reference and never need more.

Erasing is an event too: an event of a subclass of `Erasure` names the refs it removes, and the
event store deletes those rows in the transaction that appends it. The erasure is therefore
recorded exactly when it happens, and a replay of the events can never bring the text back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import uuid4

from sqlalchemy import Column, DateTime, Index, String, Table, Text, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import new_metadata
from shared.events import Envelope, Event, now

CHUNK = 500  # refs per query, as the event store's ids
content_metadata = new_metadata()
"""Add to `Wiring.tables` in a service that keeps erasable content."""

content = Table(
    "erasable_content", content_metadata,
    Column("ref", String(64), primary_key=True),
    Column("field", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False),
    Column("aggregate_type", String(64), nullable=False),
    Column("aggregate_id", String(128), nullable=False),
    Column("text", Text, nullable=False),
    Column("kept_at", DateTime(timezone=True), nullable=False),
    Index("ix_erasable_content_aggregate", "aggregate_type", "aggregate_id"),
)


@dataclass(frozen=True)
class InlineText:
    """Where an old stored version of an event held erasable text inline, for the one-off
    rewrite (shared/content_migrate.py): `fields` maps its payload keys to the content fields
    the text moves to; `erased_with`: the `Erasure` fields that mean this text was removed;
    `owner` (from the event and the events before it in its stream): the record the text is
    filed under, when it is not the event's own aggregate (the purge finds it there)."""

    type_name: str
    version: int
    fields: dict[str, str]
    erased_with: frozenset[str]
    owner: Callable[[Envelope, Sequence[Envelope]], tuple[str, str]] | None = None


INLINE: dict[tuple[str, int], InlineText] = {}


def inline_text(type_name: str, version: int, fields: dict[str, str],
                erased_with: Iterable[str],
                owner: Callable[[Envelope, Sequence[Envelope]], tuple[str, str]] | None = None,
                ) -> None:
    """Declare an old version holding text inline (next to its upcaster, which drops it)."""
    INLINE[(type_name, version)] = InlineText(type_name, version, fields,
                                              frozenset(erased_with), owner)


def new_ref() -> str:
    return uuid4().hex


@dataclass(frozen=True)
class Erasable:
    """Free text of one event, by field, filed under the reference the event carries."""

    ref: str
    school_id: str
    aggregate_type: str
    aggregate_id: str
    fields: dict[str, str]


class Erasure(Event):
    """Base of the events that erase content: the store deletes `refs` as it appends one.
    `fields` says what was removed, for the record; `removed_on` when."""

    refs: list[str]
    fields: list[str]
    removed_on: date
    reason: str


async def keep_in(conn: AsyncConnection, items: Iterable[Erasable]) -> None:
    at = now()
    rows = [{"ref": i.ref, "field": f, "school_id": i.school_id,
             "aggregate_type": i.aggregate_type, "aggregate_id": i.aggregate_id,
             "text": text, "kept_at": at}
            for i in items for f, text in i.fields.items() if text]
    if rows:
        await conn.execute(insert(content), rows)


async def erase_in(conn: AsyncConnection, events: Iterable[Event]) -> None:
    refs = [ref for ev in events if isinstance(ev, Erasure) for ref in ev.refs]
    if refs:
        await conn.execute(delete(content).where(content.c.ref.in_(refs)))


async def texts_in(conn: AsyncConnection, refs: Sequence[str | None]) -> dict[str, dict[str, str]]:
    """The fields still kept under each ref (a ref erased or never written: absent)."""
    wanted = sorted({r for r in refs if r})
    found: dict[str, dict[str, str]] = {}
    for i in range(0, len(wanted), CHUNK):
        rows = await conn.execute(select(content.c.ref, content.c.field, content.c.text)
                                  .where(content.c.ref.in_(wanted[i:i + CHUNK])))
        for ref, field, text in rows:
            found.setdefault(ref, {})[field] = text
    return found
