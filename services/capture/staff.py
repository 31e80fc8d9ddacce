"""The school's safeguarding staff as this service knows them: a projection of the directory's
events (never the directory's database). Alerts are addressed from it."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Boolean, Column, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture.domain.events import Recipient
from services.directory.domain.events import (
    PersonDetailsChanged,
    PersonEnrolled,
    PersonLeft,
    RoleAssigned,
    RoleRemoved,
)
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

staff = Table(
    "alert_staff", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("name", String(201), nullable=False),
    Column("email", String(320)),
    Column("has_left", Boolean, nullable=False, default=False),
)
staff_roles = Table(
    "alert_staff_roles", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("role", String(40), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
)


class Staff(Projection):
    name = "capture-staff"
    sources = ("directory",)
    handles = frozenset(e.type_name for e in (PersonEnrolled, PersonDetailsChanged, RoleAssigned,
                                               RoleRemoved, PersonLeft))
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case PersonEnrolled():
                await conn.execute(insert(staff).values(
                    person_id=event.person_id, school_id=event.school_id, has_left=False,
                    name=f"{event.given_name} {event.family_name}", email=event.email))
            case PersonDetailsChanged(person_id=pid):
                await conn.execute(update(staff).where(staff.c.person_id == pid).values(
                    name=f"{event.given_name} {event.family_name}", email=event.email))
            case RoleAssigned(person_id=pid, role=role):
                await conn.execute(delete(staff_roles).where(
                    staff_roles.c.person_id == pid, staff_roles.c.role == role.value))
                await conn.execute(insert(staff_roles).values(
                    person_id=pid, role=role.value, school_id=env.school_id))
            case RoleRemoved(person_id=pid, role=role):
                await conn.execute(delete(staff_roles).where(
                    staff_roles.c.person_id == pid, staff_roles.c.role == role.value))
            case PersonLeft(person_id=pid):
                await conn.execute(update(staff).where(staff.c.person_id == pid)
                                   .values(has_left=True))


async def holders(conn: AsyncConnection, school_id: str,
                  roles: tuple[str, ...]) -> list[Recipient]:
    """The people at `school_id` holding any of `roles` now (leavers excluded), by role."""
    query = (select(staff_roles.c.person_id, staff_roles.c.role, staff.c.name, staff.c.email)
             .join(staff, staff.c.person_id == staff_roles.c.person_id, isouter=True)
             .where(staff_roles.c.school_id == school_id, staff_roles.c.role.in_(roles),
                    staff.c.has_left.is_not(True))
             .order_by(staff_roles.c.role, staff_roles.c.person_id))
    return [Recipient(person_id=r.person_id, name=r.name or r.person_id, role=r.role,
                      email=r.email) for r in await conn.execute(query)]
