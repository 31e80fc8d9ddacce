"""The report facts (one compact row per event a report needs, from every service's stream)
and the people's names and roles (names stay out of the facts: only the monthly report
joins them, for readers who may see them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.directory.domain.events import (
    PersonDetailsChanged,
    PersonEnrolled,
    RoleAssigned,
    RoleRemoved,
)
from services.reporting.facts_of import HANDLED, fact_of
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

facts = Table(
    "report_facts", metadata,
    Column("fact_id", String(40), primary_key=True),
    Column("school_id", String(64), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("subject", String(120), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("category", String(40)),
    Column("severity", Integer),
    Column("outcome", String(40)),
    Column("person", String(64)),
    Column("detail", String(2000)),
    Column("due_at", DateTime(timezone=True)),
)
# "As of" and per-school reads filter on these.
Index("ix_report_facts_school_recorded", facts.c.school_id, facts.c.recorded_at)
Index("ix_report_facts_recorded", facts.c.recorded_at)  # across schools (emerging risks)

people = Table(
    "report_people", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("name", String(201), nullable=False),
    Column("roles", String(400), nullable=False),  # space-separated
)

PEOPLE = frozenset(e.type_name for e in (PersonEnrolled, PersonDetailsChanged, RoleAssigned,
                                          RoleRemoved))


class Facts(Projection):
    name = "reporting-facts"
    sources = ("directory", "agreement", "capture", "incident", "sanction", "compliance")
    handles = HANDLED | PEOPLE
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        await self.apply_batch(conn, [(env, event)])

    async def apply_batch(self, conn: AsyncConnection,
                          items: Sequence[tuple[Envelope, Event]]) -> None:
        # Facts are independent rows: one multi-row insert per batch (rebuilds go fast);
        # people's rows change in order.
        rows = [f.row() for env, event in items if (f := fact_of(env, event))]
        if rows:
            await conn.execute(insert(facts), rows)
        for env, event in items:
            if env.type in PEOPLE:
                await _people(conn, event)


async def _people(conn: AsyncConnection, event: Event) -> None:
    match event:
        case PersonEnrolled():
            await conn.execute(insert(people).values(
                person_id=event.person_id, school_id=event.school_id,
                name=f"{event.given_name} {event.family_name}", roles=""))
        case PersonDetailsChanged(person_id=pid):
            await conn.execute(update(people).where(people.c.person_id == pid).values(
                name=f"{event.given_name} {event.family_name}"))
        case RoleAssigned(person_id=pid) | RoleRemoved(person_id=pid):
            found = (await conn.execute(people.select().where(people.c.person_id == pid))
                     ).first()
            if found is None:
                return
            roles = set(found.roles.split())
            if isinstance(event, RoleAssigned):
                roles.add(event.role.value)
            else:
                roles.discard(event.role.value)
            await conn.execute(update(people).where(people.c.person_id == pid).values(
                roles=" ".join(sorted(roles))))
