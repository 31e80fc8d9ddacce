"""Reads of the sanction read model, each filtered by who may see what (`domain/access.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.incident.domain.access import Sight
from services.sanction.contracts import (
    ActionView,
    GetMatrix,
    IncidentType,
    MatrixView,
    RecommendationView,
    ReferralView,
    TaskView,
)
from services.sanction.domain.access import may_handle, names_shown
from services.sanction.domain.events import MatrixAudience
from services.sanction.projections import actions, matrices, recommendations, referrals, tasks
from services.sanction.reactions import incidents
from shared.claims import Claims
from shared.db import Database
from shared.errors import NotFound

m, r = matrices.c, recommendations.c


async def matrix(db: Database, q: GetMatrix) -> MatrixView:
    where = (m.school_id == q.school_id, m.audience == q.audience.value)
    async with db.read() as conn:
        versions = list((await conn.execute(select(m.version).where(*where)
                                            .order_by(m.version))).scalars())
        wanted = q.version or (versions[-1] if versions else 0)
        row = (await conn.execute(select(matrices).where(*where, m.version == wanted))).first()
    if row is None:
        raise NotFound(f"no {q.audience.value} matrix{f' version {q.version}' if q.version else ''}"
                       " at this school", field="version" if q.version else "audience")
    data = dict(row._mapping)
    return MatrixView(**{k: v for k, v in data.items() if k != "body"}, **data["body"],
                      versions=versions)


async def incident_types(db: Database, school_id: str,
                         audience: MatrixAudience | None) -> list[IncidentType]:
    """The rows of the school's current matrices (the incident log's types)."""
    current = (select(m.audience, func.max(m.version).label("version"))
               .where(m.school_id == school_id).group_by(m.audience).subquery())
    query = select(matrices).join(current, (m.audience == current.c.audience)
                                  & (m.version == current.c.version)).where(
        m.school_id == school_id)
    if audience is not None:
        query = query.where(m.audience == audience.value)
    async with db.read() as conn:
        found = list(await conn.execute(query.order_by(m.audience)))
    return [IncidentType(audience=row.audience, key=t["key"], label=t["label"],
                         matrix_version=row.version)
            for row in found for t in row.body["rows"]]


async def sight(conn: AsyncConnection, school_id: str, incident_id: str) -> Sight | None:
    row = (await conn.execute(select(incidents).where(
        incidents.c.school_id == school_id, incidents.c.incident_id == incident_id))).first()
    if row is None:
        return None
    return Sight(reporter=row.reporter, child_protection=row.child_protection,
                 about_staff=row.about_staff, head_only=row.head_only)


async def incident_sight(db: Database, school_id: str, incident_id: str) -> Sight | None:
    async with db.read() as conn:
        return await sight(conn, school_id, incident_id)


async def recommended(db: Database, caller: Claims, school_id: str, *,
                      incident_id: str | None = None,
                      person_id: str | None = None) -> list[RecommendationView]:
    """Recommendations for an incident or a person, as far as the caller may handle them."""
    query = select(recommendations).where(r.school_id == school_id)
    if incident_id is not None:
        query = query.where(r.incident_id == incident_id)
    if person_id is not None:
        query = query.where(r.person_id == person_id)
    out = []
    async with db.read() as conn:
        for row in await conn.execute(query.order_by(r.recommended_at.desc(), r.person_id)):
            seen = await sight(conn, school_id, row.incident_id)
            if seen is None or not may_handle(caller, MatrixAudience(row.audience), seen):
                continue
            out.append(await _view(conn, row))
    return out


async def _view(conn: AsyncConnection, row: Any) -> RecommendationView:
    a = actions.c
    found = await conn.execute(select(actions).where(
        a.incident_id == row.incident_id, a.person_id == row.person_id).order_by(a.position))
    return RecommendationView(
        **{k: v for k, v in row._mapping.items() if k not in {"school_id", "earlier"}},
        earlier=row.earlier.split(),
        actions=[ActionView.model_validate(x, from_attributes=True) for x in found])


async def open_tasks(db: Database, caller: Claims, school_id: str) -> list[TaskView]:
    t = tasks.c
    out = []
    async with db.read() as conn:
        found = await conn.execute(select(tasks).where(t.school_id == school_id, ~t.done)
                                   .order_by(t.opened_at))
        for row in found:
            seen = await sight(conn, school_id, row.incident_id)
            if seen is not None and may_handle(caller, MatrixAudience.PUPIL, seen):
                out.append(TaskView.model_validate(row, from_attributes=True))
    return out


async def ict_referrals(db: Database, caller: Claims, school_id: str) -> list[ReferralView]:
    f = referrals.c
    async with db.read() as conn:
        found = await conn.execute(select(referrals).where(f.school_id == school_id)
                                   .order_by(f.at.desc()))
        return [ReferralView(incident_id=x.incident_id, audience=x.audience,
                             person_id=x.person_id
                             if names_shown(caller, MatrixAudience(x.audience)) else None,
                             notes=x.notes, by=x.by, at=x.at) for x in found]
