"""Reads of the incident log, filtered by the routing rules in SQL (`domain/access.py` says
the same in Python; the integration tests hold them to each other)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from services.incident.contracts import (
    ChronologyEntry,
    GetIncident,
    IncidentLog,
    IncidentPage,
    IncidentView,
    InvolvedView,
    ReviewView,
)
from services.incident.domain.access import LEADS, MANAGERS, ORDINARY, Sight, sees_all_of
from services.incident.people import people as directory
from services.incident.projections import chronology, incidents, involved, reviews
from shared import content
from shared.claims import SAFEGUARDING_ROLES, Claims, Role
from shared.db import Database
from shared.errors import NotFound

c = incidents.c
TERMS = {"autumn": (9, 13), "spring": (1, 4), "summer": (4, 9)}  # months [from, to)


def sees_all(caller: Claims) -> ColumnElement[bool]:
    roles = caller.roles
    if Role.LA_ADMIN in roles:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if Role.HEADTEACHER in roles:
        clauses.append(c.head_only)
    if roles & SAFEGUARDING_ROLES:
        clauses.append(and_(~c.head_only, c.child_protection))
    if roles & MANAGERS:
        clauses.append(and_(~c.head_only, ~c.child_protection, c.about_staff))
    if roles & ORDINARY:
        clauses.append(and_(~c.head_only, ~c.child_protection, ~c.about_staff))
    return or_(*clauses) if clauses else false()


def visible_to(caller: Claims) -> ColumnElement[bool]:
    return or_(sees_all(caller), c.reporter == caller.subject)


def term_range(term: str) -> tuple[datetime, datetime]:
    year, season = term.split("-")
    start, end = TERMS[season]
    y = int(year)
    return (datetime(y, start, 1, tzinfo=UTC),
            datetime(y + end // 13, end if end < 13 else 1, 1, tzinfo=UTC))


def _filtered(q: IncidentLog, caller: Claims) -> Select[Any]:
    where = [c.school_id == q.school_id, visible_to(caller)]
    if q.term:
        start, end = term_range(q.term)
        where += [c.occurred_at >= start, c.occurred_at < end]
    if q.occurred_from:
        where.append(c.occurred_at >= q.occurred_from)
    if q.occurred_to:
        where.append(c.occurred_at < q.occurred_to)
    for column, value in ((c.category, q.category), (c.incident_type, q.incident_type),
                          (c.status, q.status), (c.cyber_bullying, q.cyber_bullying),
                          (c.child_protection, q.child_protection),
                          (c.about_staff, q.about_staff),
                          (c.came_to_light, q.came_to_light)):
        if value is not None:
            where.append(column == value)
    if q.person_id:
        where.append(c.incident_id.in_(select(involved.c.incident_id).where(
            involved.c.person_id == q.person_id)))
    return select(incidents).where(*where)


async def log(db: Database, q: IncidentLog, caller: Claims) -> IncidentPage:
    query = _filtered(q, caller)
    async with db.read() as conn:
        total = (await conn.execute(
            select(func.count()).select_from(query.subquery()))).scalar_one()
        rows = list(await conn.execute(query.order_by(c.occurred_at.desc(), c.incident_id)
                                       .offset(q.offset).limit(q.limit)))
        items = await _views(conn, rows, caller)
    return IncidentPage(items=items, total=total, offset=q.offset, limit=q.limit)


async def one(db: Database, q: GetIncident, caller: Claims) -> IncidentView:
    async with db.read() as conn:
        row = (await conn.execute(select(incidents).where(
            c.school_id == q.school_id, c.incident_id == q.incident_id,
            visible_to(caller)))).first()
        if row is None:
            raise NotFound(f"no incident {q.incident_id} at this school", field="incident_id")
        [view] = await _views(conn, [row], caller)
        entries = select(chronology).where(chronology.c.incident_id == q.incident_id)
        if not sees_all_of(caller, sight_of(row)):
            entries = entries.where(chronology.c.by == caller.subject)
        found = list(await conn.execute(entries.order_by(chronology.c.seq)))
        names = await _names(conn, {r.by for r in found})
        shown = row.transferred_to is None or caller.has_any(LEADS)
        texts = await content.texts_in(conn, [r.content_ref for r in found])
        view.chronology = [ChronologyEntry(
            seq=r.seq, at=r.at, by=r.by, by_name=names.get(r.by, ""), entry=r.entry,
            detail=_detail(r.detail, texts.get(r.content_ref or "", {}), shown))
            for r in found]
    return view


def _detail(base: str, kept: dict[str, str], shown: bool) -> str:
    """An entry's own detail and its erasable text, while kept (and the caller may read it).
    (An entry projected before the text was read here holds a copy of it: shown once.)"""
    if not shown:
        return "" if base in kept.values() else base
    return " ".join(p for p in (base, *(t for t in kept.values() if t != base)) if p)


async def _names(conn: AsyncConnection, ids: set[str]) -> dict[str, str]:
    """Directory names of the people an incident shows by id (the platform has its own)."""
    found = await conn.execute(select(directory.c.person_id, directory.c.name).where(
        directory.c.person_id.in_(ids)))
    return {"system": "platform", **{r.person_id: r.name for r in found}}


def sight_of(row: Any) -> Sight:
    return Sight(reporter=row.reporter, child_protection=row.child_protection,
                 about_staff=row.about_staff, head_only=row.head_only)


async def _views(conn: AsyncConnection, rows: list[Any],
                 caller: Claims) -> list[IncidentView]:
    ids = [r.incident_id for r in rows]
    people: dict[str, list[InvolvedView]] = {i: [] for i in ids}
    if ids:
        found = await conn.execute(select(involved).where(involved.c.incident_id.in_(ids))
                                   .order_by(involved.c.incident_id, involved.c.seq))
        for p in found:
            people[p.incident_id].append(InvolvedView(kind=p.kind, person_id=p.person_id,
                                                      name=p.name))
    names = await _names(conn, {r.assignee for r in rows if r.assignee})
    lead = caller.has_any(LEADS)
    return [IncidentView(
        **{k: v for k, v in r._mapping.items() if k not in {"head_only", "referrals",
                                                             "description"}},
        description=r.description if lead or r.transferred_to is None else "",
        referrals=r.referrals.split(), involved=people[r.incident_id],
        assignee_name=names.get(r.assignee or "", "")) for r in rows]


async def termly_reviews(db: Database, school_id: str) -> list[ReviewView]:
    async with db.read() as conn:
        rows = await conn.execute(select(reviews).where(reviews.c.school_id == school_id)
                                  .order_by(reviews.c.recorded_at.desc()))
        return [ReviewView.model_validate(r._mapping) for r in rows]
