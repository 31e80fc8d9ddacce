"""The headteacher's weekly review (Oakridge §2): the captures moderated since the last
review, recording a review (who, when, findings, the captures seen), and for the LA the
schools whose last review is more than a week old (or that never had one)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    MetaData,
    Row,
    String,
    Table,
    Text,
    desc,
    func,
    insert,
    select,
    union,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture import queries
from services.capture.domain.events import WeeklyReviewRecorded
from services.capture.domain.review import PERIOD, RecordReview, review
from services.capture.projections import captures
from services.capture.review_contracts import (
    ListReviews,
    OverdueReviews,
    OverdueSchool,
    RecordWeeklyReview,
    ReviewPage,
    ReviewView,
    ReviewWorklist,
    Worklist,
)
from shared.claims import LA_ROLES, Claims, Role
from shared.db import as_utc, new_metadata
from shared.events import Clock, Envelope, Event, Metadata
from shared.projection import Projection
from shared.rpc import RpcRouter
from shared.service import Kit

REVIEWERS = frozenset({Role.HEADTEACHER})
READERS = frozenset({Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL}) | LA_ROLES

metadata = new_metadata()
reviews = Table(
    "weekly_reviews", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("at", DateTime(timezone=True), primary_key=True),
    Column("la_id", String(64), nullable=False),
    Column("by", String(64), nullable=False),
    Column("by_name", String(200), nullable=False),
    Column("period_from", DateTime(timezone=True), nullable=False),
    Column("findings", Text, nullable=False),
    Column("captures_seen", JSON, nullable=False),
    Index("ix_weekly_reviews_la", "la_id", "school_id"),
)


class WeeklyReviews(Projection):
    name = "capture-weekly-reviews"
    sources = ("capture",)
    handles = frozenset({WeeklyReviewRecorded.type_name})
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if isinstance(event, WeeklyReviewRecorded):
            await conn.execute(insert(reviews).values(**event.model_dump()))


def _view(row: Row[Any]) -> ReviewView:
    data = dict(row._mapping)
    return ReviewView(**{**data, "at": as_utc(data["at"]),
                         "period_from": as_utc(data["period_from"])})


async def last_review(conn: AsyncConnection, school_id: str) -> ReviewView | None:
    row = (await conn.execute(select(reviews).where(reviews.c.school_id == school_id)
                              .order_by(desc(reviews.c.at)).limit(1))).first()
    return _view(row) if row is not None else None


@dataclass
class Reviewing:
    kit: Kit
    clock: Clock

    async def worklist(self, q: ReviewWorklist) -> Worklist:
        now = self.clock()
        async with self.kit.db.read() as conn:
            last = await last_review(conn, q.school_id)
            since = last.at if last else now - PERIOD
            where = (captures.c.school_id == q.school_id, captures.c.graded_at > since)
            total = (await conn.execute(select(func.count()).select_from(captures)
                                        .where(*where))).scalar_one()
            rows = await conn.execute(queries.WITH_PERSON.where(*where)
                                      .order_by(desc(captures.c.graded_at)).limit(q.limit))
            items = [queries.view(r) for r in rows]
        return Worklist(school_id=q.school_id, last_review=last, since=since,
                        overdue=last is None or now - last.at > PERIOD, captures=items,
                        total=total)

    async def record(self, cmd: RecordWeeklyReview, caller: Claims) -> ReviewView:
        at = self.clock()
        seen = tuple(dict.fromkeys(cmd.captures_seen))
        async with self.kit.db.read() as conn:
            known = set((await conn.execute(select(captures.c.capture_id).where(
                captures.c.capture_id.in_(seen), captures.c.school_id == cmd.school_id,
                captures.c.grade.is_not(None)))).scalars())
        done = await self.kit.bus.execute(
            review, cmd.school_id,
            RecordReview(cmd.school_id, caller.la_id, caller.subject, caller.name or caller.subject,
                         at, cmd.findings, seen, tuple(c for c in seen if c not in known)),
            Metadata(school_id=cmd.school_id, occurred_at=at))
        [env] = done.envelopes
        return ReviewView(**WeeklyReviewRecorded.model_validate(env.payload).model_dump())

    async def overdue(self, la_id: str) -> list[OverdueSchool]:
        cutoff = self.clock() - PERIOD
        schools = union(select(captures.c.school_id).where(captures.c.la_id == la_id),
                        select(reviews.c.school_id).where(reviews.c.la_id == la_id)).subquery()
        last = (select(reviews.c.school_id, func.max(reviews.c.at).label("at"))
                .group_by(reviews.c.school_id).subquery())
        query = (select(schools.c.school_id, last.c.at)
                 .join(last, last.c.school_id == schools.c.school_id, isouter=True)
                 .where((last.c.at.is_(None)) | (last.c.at < cutoff))
                 .order_by(schools.c.school_id))
        async with self.kit.db.read() as conn:
            return [OverdueSchool(school_id=r.school_id,
                                  last_review_at=as_utc(r.at) if r.at else None)
                    for r in await conn.execute(query)]

    def routes(self, rpc: RpcRouter) -> None:
        @rpc.handler("ReviewWorklist")
        async def worklist(q: ReviewWorklist, caller: Claims) -> Worklist:
            caller.require_role(q.school_id, READERS)
            return await self.worklist(q)

        @rpc.handler("RecordWeeklyReview")
        async def record(cmd: RecordWeeklyReview, caller: Claims) -> ReviewView:
            caller.require_role(cmd.school_id, REVIEWERS)
            return await self.record(cmd, caller)

        @rpc.handler("ListReviews")
        async def list_reviews(q: ListReviews, caller: Claims) -> ReviewPage:
            caller.require_role(q.school_id, READERS)
            where = reviews.c.school_id == q.school_id
            async with self.kit.db.read() as conn:
                total = (await conn.execute(select(func.count()).select_from(reviews)
                                            .where(where))).scalar_one()
                rows = await conn.execute(select(reviews).where(where)
                                          .order_by(desc(reviews.c.at))
                                          .offset(q.offset).limit(q.limit))
                return ReviewPage(items=[_view(r) for r in rows], total=total)

        @rpc.handler("OverdueReviews")
        async def overdue(_: OverdueReviews, caller: Claims) -> list[OverdueSchool]:
            caller.require_role(caller.la_id, LA_ROLES)
            return await self.overdue(caller.la_id)
