"""The schools' people as this service knows them (from the directory's events): who is staff,
so that reporting is open to every member of staff and "about staff" cannot be misstated, and
their roles, so that an incident is only assigned to someone who may see it."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Column, Date, MetaData, String, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.directory.domain.events import (
    PersonDetailsChanged,
    PersonEnrolled,
    RoleAssigned,
    RoleRemoved,
)
from shared.claims import Claims, Role
from shared.db import Database, new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

people = Table(
    "incident_directory", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("name", String(201), nullable=False),
    Column("roles", String(400), nullable=False),  # space-separated
    Column("date_of_birth", Date),  # a pupil's: child-protection records are kept until 25
)


class People(Projection):
    name = "incident-people"
    sources = ("directory",)
    handles = frozenset(e.type_name for e in (PersonEnrolled, PersonDetailsChanged,
                                               RoleAssigned, RoleRemoved))
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case PersonEnrolled():
                await conn.execute(insert(people).values(
                    person_id=event.person_id, school_id=event.school_id,
                    kind=event.kind.value, name=f"{event.given_name} {event.family_name}",
                    roles="", date_of_birth=event.date_of_birth))
            case PersonDetailsChanged(person_id=pid):
                await conn.execute(update(people).where(people.c.person_id == pid).values(
                    name=f"{event.given_name} {event.family_name}",
                    date_of_birth=event.date_of_birth))
            case RoleAssigned(person_id=pid) | RoleRemoved(person_id=pid):
                found = (await conn.execute(select(people.c.roles).where(
                    people.c.person_id == pid))).scalar_one_or_none()
                if found is None:
                    return
                roles = set(found.split())
                if isinstance(event, RoleAssigned):
                    roles.add(event.role.value)
                else:
                    roles.discard(event.role.value)
                await conn.execute(update(people).where(people.c.person_id == pid).values(
                    roles=" ".join(sorted(roles))))


async def known(db: Database, school_id: str, ids: list[str]) -> dict[str, tuple[str, str]]:
    """person id -> (kind, name) for those of `ids` enrolled at the school."""
    if not ids:
        return {}
    async with db.read() as conn:
        rows = await conn.execute(select(people.c.person_id, people.c.kind, people.c.name).where(
            people.c.school_id == school_id, people.c.person_id.in_(ids)))
        return {r.person_id: (r.kind, r.name) for r in rows}


async def as_claims(db: Database, school_id: str, person_id: str) -> Claims | None:
    """A member of staff at the school as the claims they would sign in with; else None."""
    async with db.read() as conn:
        row = (await conn.execute(select(people).where(
            people.c.school_id == school_id, people.c.person_id == person_id))).first()
    if row is None or row.kind != "staff":
        return None
    return Claims(subject=person_id, name=row.name, school_id=school_id, la_id="",
                  roles=frozenset(Role(r) for r in row.roles.split()))
