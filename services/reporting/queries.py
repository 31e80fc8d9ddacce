"""Reads of the report facts: the facts up to a moment, folded; names and headteachers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.reporting.domain.facts import Fact, Kind
from services.reporting.domain.ledger import School, fold
from services.reporting.projections import facts, people
from shared.db import Database, as_utc


async def schools_as_of(db: Database, as_of: datetime,
                        school_id: str | None = None) -> dict[str, School]:
    """Every school's ledger (or one school's) from the facts recorded up to `as_of`."""
    query = select(facts).where(facts.c.recorded_at <= as_of)
    if school_id is not None:
        query = query.where(facts.c.school_id == school_id)
    async with db.read() as conn:
        rows = (await conn.execute(query)).all()
    return fold(_fact(r) for r in rows)


COLUMNS = [c.name for c in facts.columns]
TIMES = [i for i, c in enumerate(COLUMNS) if c.endswith("_at")]


def _fact(row: Sequence[Any]) -> Fact:
    values = list(row)
    for i in TIMES:
        if values[i] is not None:
            values[i] = as_utc(values[i])
    fields = dict(zip(COLUMNS, values, strict=True))
    fields["kind"] = Kind(fields["kind"])
    return Fact(**fields)


async def captures_between(db: Database, start: datetime, end: datetime) -> dict[str, School]:
    """Only the captures received (and triaged) in (start, end]: what emerging risks count,
    without folding every school's whole history."""
    query = select(facts).where(
        facts.c.kind.in_([Kind.CAPTURE_RECEIVED.value, Kind.CAPTURE_TRIAGED.value]),
        facts.c.recorded_at > start, facts.c.recorded_at <= end)
    async with db.read() as conn:
        rows = (await conn.execute(query)).all()
    return fold(_fact(r) for r in rows)


async def school_as_of(db: Database, school_id: str, as_of: datetime) -> School:
    return (await schools_as_of(db, as_of, school_id)).get(school_id) or School(school_id)


async def names(db: Database, school_id: str) -> dict[str, str]:
    async with db.read() as conn:
        rows = await conn.execute(select(people.c.person_id, people.c.name).where(
            people.c.school_id == school_id))
        return {r.person_id: r.name for r in rows}


async def holders_of(db: Database, school_id: str, role: str) -> list[str]:
    async with db.read() as conn:
        rows = await conn.execute(select(people.c.person_id, people.c.roles).where(
            people.c.school_id == school_id))
        return sorted(r.person_id for r in rows if role in r.roles.split())


async def known_schools(db: Database) -> list[str]:
    async with db.read() as conn:
        return sorted((await conn.execute(select(facts.c.school_id).distinct().where(
            facts.c.kind == Kind.SCHOOL.value))).scalars())
