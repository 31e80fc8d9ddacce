"""Reads of the compliance projections, shaped as the contract's views."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select

from services.compliance.contracts import (
    CheckPage,
    CheckView,
    HolderView,
    PolicyView,
    ReviewView,
    SchoolStanding,
    StandardsView,
)
from services.compliance.domain.events import Responsibility
from services.compliance.projections import checks, holders, policies, reviews, schools
from services.compliance.training import statuses
from shared.db import Database, as_utc


async def standards(db: Database, school_id: str, today: date) -> StandardsView:
    async with db.read() as conn:
        named = list(await conn.execute(select(holders).where(holders.c.school_id == school_id)))
        review = (await conn.execute(select(reviews).where(reviews.c.school_id == school_id)
                                     .order_by(reviews.c.reviewed_on.desc()).limit(1))).first()
        check = (await conn.execute(select(checks).where(checks.c.school_id == school_id)
                                    .order_by(checks.c.checked_on.desc(),
                                              checks.c.recorded_at.desc()).limit(1))).first()
        current = (await conn.execute(select(policies).where(policies.c.school_id == school_id)
                                      .order_by(policies.c.version.desc()).limit(1))).first()
    held = [HolderView(**{**r._mapping, "assigned_at": as_utc(r.assigned_at)}) for r in named]
    policy = _policy(current._mapping) if current else None
    return StandardsView(
        school_id=school_id, holders=held,
        missing=[r for r in Responsibility if r not in {h.responsibility for h in held}],
        last_review=ReviewView(**review._mapping) if review else None,
        review_overdue=review is None or review.next_due < today,
        last_check=CheckView(**check._mapping) if check else None,
        policy=policy, policy_review_overdue=policy is None or policy.next_review < today)


async def check_page(db: Database, school_id: str, offset: int, limit: int) -> CheckPage:
    where = checks.c.school_id == school_id
    async with db.read() as conn:
        total = (await conn.execute(select(func.count()).select_from(checks).where(where))
                 ).scalar_one()
        rows = list(await conn.execute(select(checks).where(where)
                                       .order_by(checks.c.checked_on.desc(),
                                                 checks.c.recorded_at.desc())
                                       .offset(offset).limit(limit)))
    return CheckPage(items=[CheckView(**r._mapping) for r in rows], total=total, offset=offset,
                     limit=limit)


async def reviews_of(db: Database, school_id: str) -> list[ReviewView]:
    async with db.read() as conn:
        rows = await conn.execute(select(reviews).where(reviews.c.school_id == school_id)
                                  .order_by(reviews.c.reviewed_on.desc()))
        return [ReviewView(**r._mapping) for r in rows]


async def policy_versions(db: Database, school_id: str) -> list[PolicyView]:
    async with db.read() as conn:
        rows = await conn.execute(select(policies).where(policies.c.school_id == school_id)
                                  .order_by(policies.c.version.desc()))
        return [_policy(r._mapping) for r in rows]


async def la_standing(db: Database, la_id: str, today: date) -> list[SchoolStanding]:
    """Every school of the LA, the most overdue first."""
    async with db.read() as conn:
        found = list(await conn.execute(select(schools).where(schools.c.la_id == la_id)))
        ids = [s.school_id for s in found]
        named = list(await conn.execute(select(holders.c.school_id, holders.c.responsibility)
                                        .where(holders.c.school_id.in_(ids))))
        due = dict((await conn.execute(select(reviews.c.school_id, func.max(reviews.c.next_due))
                                       .where(reviews.c.school_id.in_(ids))
                                       .group_by(reviews.c.school_id))).tuples().all())
        checked = dict((await conn.execute(
            select(checks.c.school_id, func.max(checks.c.checked_on))
            .where(checks.c.school_id.in_(ids)).group_by(checks.c.school_id))).tuples().all())
        latest = select(policies.c.school_id, func.max(policies.c.version).label("version")) \
            .where(policies.c.school_id.in_(ids)).group_by(policies.c.school_id).subquery()
        policy_due = dict((await conn.execute(
            select(policies.c.school_id, policies.c.next_review).join(
                latest, (latest.c.school_id == policies.c.school_id)
                & (latest.c.version == policies.c.version)))).tuples().all())
    trained = await statuses(db, ids, today)
    held: dict[str, set[str]] = defaultdict(set)
    for school_id, responsibility in named:
        held[school_id].add(responsibility)
    standing = [SchoolStanding(
        school_id=s.school_id, name=s.name,
        missing=[r for r in Responsibility if r.value not in held[s.school_id]],
        review_due=due.get(s.school_id),
        review_overdue=s.school_id not in due or due[s.school_id] < today,
        last_check_on=checked.get(s.school_id),
        policy_review_due=policy_due.get(s.school_id),
        policy_review_overdue=s.school_id not in policy_due or policy_due[s.school_id] < today,
        staff=len(trained[s.school_id]),
        training_overdue=sum(t.overdue for t in trained[s.school_id]))
        for s in found]
    return sorted(standing, key=lambda s: (-(s.review_overdue + s.policy_review_overdue
                                             + bool(s.missing) + bool(s.training_overdue)),
                                           s.name))


def _policy(row: object) -> PolicyView:
    data = dict(row)  # type: ignore[call-overload]
    return PolicyView(**{**data, "published_at": as_utc(data["published_at"])})
