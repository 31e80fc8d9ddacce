"""Filtering-log summaries: the batch ingest (each item on its own; a re-sent summary is a
duplicate) and the read model. Per-user counts name pupils: they are kept beside the event,
in `filtering_user_counts` (written in the event's transaction, never rebuilt from events), so
that retention can erase them while the event and the school's totals stay."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.compliance.contracts import (
    BatchResult,
    FilteringSummaryPage,
    FilteringSummaryView,
    RowResult,
    UserCounts,
)
from services.compliance.domain.events import FilteringSummaryReceived
from services.compliance.domain.filtering import SummaryIn, received, summary
from shared.batch import append_new, stream_id, validated
from shared.db import Database, as_utc, new_metadata
from shared.errors import InvalidInput
from shared.events import Envelope, Event, Metadata
from shared.eventstore import EventStore
from shared.projection import Projection

metadata = new_metadata()

summaries = Table(
    "filtering_summaries", metadata,
    Column("summary_id", String(250), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("product", String(60), nullable=False),
    Column("product_summary_id", String(120), nullable=False),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("blocked", Integer, nullable=False),
    Column("allowed", Integer, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

held_metadata = new_metadata()  # the service's own table: not a projection's
user_counts = Table(
    "filtering_user_counts", held_metadata,
    Column("summary_id", String(250), primary_key=True),
    Column("username", String(200), primary_key=True),
    Column("category", String(200), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("blocked", Integer, nullable=False),
    Column("allowed", Integer, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


class FilteringSummaries(Projection):
    name = "compliance-filtering"
    sources = ("compliance",)
    handles = frozenset({FilteringSummaryReceived.type_name})
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if isinstance(event, FilteringSummaryReceived):
            data = event.model_dump(mode="json", exclude={"users_held"})
            await conn.execute(insert(summaries).values(
                **{**data, "period_start": event.period_start, "period_end": event.period_end},
                blocked=sum(c.blocked for c in event.categories),
                allowed=sum(c.allowed for c in event.categories), received_at=env.occurred_at))


async def ingest(store: EventStore, school_id: str, items: list[Any],
                 now: datetime) -> BatchResult:
    results: list[RowResult] = []
    good: dict[str, tuple[int, FilteringSummaryReceived]] = {}
    users: dict[str, list[dict[str, Any]]] = {}  # by stream id
    for i, raw in enumerate(items):
        ref = raw.get("product_summary_id") if isinstance(raw, dict) else None
        try:
            item = validated(SummaryIn, raw)
            event = received(school_id, item, now)
        except InvalidInput as exc:
            results.append(RowResult(index=i, status="rejected", reason=exc.message,
                                     field=exc.field, ref=ref if isinstance(ref, str) else None))
            continue
        if event.summary_id in good:  # the same summary twice in one batch
            results.append(RowResult(index=i, status="duplicate", ref=event.product_summary_id))
        else:
            good[event.summary_id] = (i, event)
            users[stream_id(event.summary_id)] = [
                {**u.model_dump(), "summary_id": event.summary_id, "school_id": school_id,
                 "received_at": now} for u in item.users]

    async def beside(conn: AsyncConnection, started: set[str]) -> None:
        rows = [row for sid in started for row in users[sid]]
        if rows:
            await conn.execute(insert(user_counts), rows)

    fresh = await append_new(store, summary.aggregate_type,
                             {stream_id(sid): summary.decide(e, False)
                              for sid, (_, e) in good.items()},
                             Metadata(school_id=school_id, occurred_at=now), beside)
    results += [RowResult(index=i, status="accepted" if stream_id(sid) in fresh
                          else "duplicate", ref=e.product_summary_id)
                for sid, (i, e) in good.items()]
    return BatchResult.of(results)


async def page(db: Database, school_id: str, offset: int, limit: int) -> FilteringSummaryPage:
    where = summaries.c.school_id == school_id
    async with db.read() as conn:
        total = (await conn.execute(select(func.count()).select_from(summaries).where(where))
                 ).scalar_one()
        rows = list(await conn.execute(select(summaries).where(where)
                                       .order_by(summaries.c.period_end.desc(),
                                                 summaries.c.summary_id)
                                       .offset(offset).limit(limit)))
        per_user: dict[str, list[UserCounts]] = defaultdict(list)
        for u in await conn.execute(select(user_counts).where(
                user_counts.c.summary_id.in_([r.summary_id for r in rows]))
                .order_by(user_counts.c.blocked.desc(), user_counts.c.username)):
            per_user[u.summary_id].append(UserCounts.model_validate(u, from_attributes=True))
        items = [FilteringSummaryView(**{
            **r._mapping, "users": per_user[r.summary_id],
            **{k: as_utc(r._mapping[k]) for k in ("period_start", "period_end", "received_at")}})
            for r in rows]
    return FilteringSummaryPage(items=items, total=total, offset=offset, limit=limit)
