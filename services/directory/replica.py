"""A replica of the directory's staff for another service: names, addresses, roles and
leavers, kept from the directory's events (no service reads another's database). A service
declares its tables with `staff_tables` (its own names, on its own metadata) and subclasses
`StaffReplica` with its consumer name; pupils and parents are never copied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import Column, Date, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.directory.domain.events import (
    PersonDetailsChanged,
    PersonEnrolled,
    PersonKind,
    PersonLeft,
    RoleAssigned,
    RoleRemoved,
)
from shared.events import Envelope, Event
from shared.projection import Projection

NOT_COPIED = frozenset({PersonKind.PUPIL, PersonKind.PARENT})


@dataclass(frozen=True)
class StaffTables:
    people: Table
    roles: Table


def staff_tables(metadata: MetaData, prefix: str) -> StaffTables:
    return StaffTables(
        Table(f"{prefix}_staff", metadata,
              Column("person_id", String(64), primary_key=True),
              Column("school_id", String(64), nullable=False, index=True),
              Column("kind", String(20), nullable=False),
              Column("name", String(201), nullable=False),
              Column("email", String(320)),
              Column("left_on", Date)),
        Table(f"{prefix}_staff_roles", metadata,
              Column("person_id", String(64), primary_key=True),
              Column("role", String(40), primary_key=True),
              Column("school_id", String(64), nullable=False, index=True)))


@dataclass(frozen=True)
class Member:
    person_id: str
    name: str
    email: str | None
    role: str = ""


class StaffReplica(Projection):
    sources = ("directory",)
    handles = frozenset(e.type_name for e in (PersonEnrolled, PersonDetailsChanged,
                                               RoleAssigned, RoleRemoved, PersonLeft))
    tables: ClassVar[StaffTables]

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        people, roles = self.tables.people, self.tables.roles
        match event:
            case PersonEnrolled() if event.kind not in NOT_COPIED:
                await conn.execute(insert(people).values(
                    person_id=event.person_id, school_id=event.school_id,
                    kind=event.kind.value, name=f"{event.given_name} {event.family_name}",
                    email=event.email))
            case PersonDetailsChanged(person_id=pid):
                await conn.execute(update(people).where(people.c.person_id == pid).values(
                    name=f"{event.given_name} {event.family_name}", email=event.email))
            case RoleAssigned(person_id=pid, role=role):
                await conn.execute(delete(roles).where(roles.c.person_id == pid,
                                                       roles.c.role == role.value))
                await conn.execute(insert(roles).values(person_id=pid, role=role.value,
                                                        school_id=env.school_id))
            case RoleRemoved(person_id=pid, role=role):
                await conn.execute(delete(roles).where(roles.c.person_id == pid,
                                                       roles.c.role == role.value))
            case PersonLeft(person_id=pid, left_on=left_on):
                await conn.execute(update(people).where(people.c.person_id == pid)
                                   .values(left_on=left_on))


async def current_staff(conn: AsyncConnection, tables: StaffTables, school_ids: list[str],
                        kinds: tuple[PersonKind, ...] = (PersonKind.STAFF,)
                        ) -> dict[str, list[Member]]:
    """school id -> its people of `kinds` who have not left, by name."""
    people = tables.people
    rows = await conn.execute(select(people).where(
        people.c.school_id.in_(school_ids), people.c.kind.in_([k.value for k in kinds]),
        people.c.left_on.is_(None)).order_by(people.c.name, people.c.person_id))
    found: dict[str, list[Member]] = {s: [] for s in school_ids}
    for r in rows:
        found[r.school_id].append(Member(r.person_id, r.name, r.email))
    return found


async def holders(conn: AsyncConnection, tables: StaffTables, school_id: str,
                  roles: tuple[str, ...]) -> list[Member]:
    """The people at `school_id` holding any of `roles` now (leavers excluded), by role."""
    people, held = tables.people, tables.roles
    rows = await conn.execute(
        select(held.c.person_id, held.c.role, people.c.name, people.c.email)
        .join(people, people.c.person_id == held.c.person_id)
        .where(held.c.school_id == school_id, held.c.role.in_(roles),
               people.c.left_on.is_(None))
        .order_by(held.c.role, held.c.person_id))
    return [Member(r.person_id, r.name, r.email, r.role) for r in rows]
