"""The retention rules as a replica: compliance owns the policy; every service that purges
records keeps this table of the rules in its own database (from compliance's events, as the
incident service keeps sanction's matrices), so it never asks compliance while purging.

Each service subclasses `RetentionRules` with its own durable consumer name.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.compliance.domain.events import (
    RecordType,
    RetentionOverrideSet,
    RetentionPolicySet,
)
from services.directory.domain.events import SchoolOnboarded
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

LA_ROW = ""  # school_id of the LA's own rows
rules = Table(
    "retention_rules", metadata,
    Column("la_id", String(64), primary_key=True),
    Column("school_id", String(64), primary_key=True),
    Column("record_type", String(40), primary_key=True),
    Column("months", Integer, nullable=False),
    Column("school_may_set", Boolean, nullable=False),
)
# Each school's LA (from the directory): a service whose records do not name the LA finds
# the school's rules through it.
schools = Table(
    "retention_schools", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("la_id", String(64), nullable=False),
)


class RetentionRules(Projection):
    sources = ("compliance", "directory")
    handles = frozenset({RetentionPolicySet.type_name, RetentionOverrideSet.type_name,
                         SchoolOnboarded.type_name})
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case SchoolOnboarded(school_id=school, la_id=la):
                await conn.execute(insert(schools).values(school_id=school, la_id=la))
            case RetentionPolicySet(la_id=la):
                await conn.execute(delete(rules).where(rules.c.la_id == la,
                                                       rules.c.school_id == LA_ROW))
                await conn.execute(insert(rules), [
                    {"la_id": la, "school_id": LA_ROW, "record_type": t.value, "months": m,
                     "school_may_set": t in event.school_may_set}
                    for t, m in event.months.items()])
            case RetentionOverrideSet(la_id=la, school_id=school, record_type=t):
                await conn.execute(delete(rules).where(
                    rules.c.la_id == la, rules.c.school_id == school,
                    rules.c.record_type == t.value))
                if event.months is not None:
                    await conn.execute(insert(rules).values(
                        la_id=la, school_id=school, record_type=t.value, months=event.months,
                        school_may_set=True))


async def periods_in(conn: AsyncConnection, la_id: str,
                     school_id: str) -> dict[RecordType, tuple[int, bool]]:
    """Months each record type is kept at the school, and whether the school set it itself;
    empty until the LA has set a policy (nothing is purged without one). A school's own period
    counts only while the LA still lets schools set that type."""
    rows = list(await conn.execute(select(rules).where(
        rules.c.la_id == la_id, rules.c.school_id.in_([LA_ROW, school_id]))))
    la = {RecordType(r.record_type): r for r in rows if r.school_id == LA_ROW}
    own = {RecordType(r.record_type): r.months for r in rows if r.school_id != LA_ROW}
    return {t: (own[t], True) if t in own and r.school_may_set else (r.months, False)
            for t, r in la.items()}


async def schools_in(conn: AsyncConnection, la_id: str | None) -> list[tuple[str, str]]:
    """(school, LA) of every school known (of one LA's if named)."""
    query = select(schools.c.school_id, schools.c.la_id).order_by(schools.c.school_id)
    if la_id is not None:
        query = query.where(schools.c.la_id == la_id)
    return [(s, la) for s, la in await conn.execute(query)]
