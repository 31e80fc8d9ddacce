"""The directory read model: schools, people, roles, guardians, logins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    insert,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.directory.domain.events import (
    AccountOpened,
    AuthorityEstablished,
    ClassClosed,
    ClassRecorded,
    GuardianLinked,
    PersonDetailsChanged,
    PersonEnrolled,
    PersonLeft,
    RoleAssigned,
    RoleRemoved,
    SchoolOnboarded,
)
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

authorities = Table(
    "authorities", metadata,
    Column("la_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
)
schools = Table(
    "schools", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("la_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("urn", String(10), nullable=False),
    Column("phase", String(20), nullable=False),
)
people = Table(
    "people", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("given_name", String(100), nullable=False),
    Column("family_name", String(100), nullable=False),
    Column("year_group", Integer),
    Column("class_name", String(40)),
    Column("mis_id", String(64)),
    Column("email", String(200)),
    Column("date_of_birth", Date),
    Column("username", String(64), unique=True),
    Column("left_on", Date),
    Column("leave_reason", String(200)),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
)
roles = Table(
    "person_roles", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("role", String(40), primary_key=True),
)
guardians = Table(
    "guardians", metadata,
    Column("parent_id", String(64), primary_key=True),
    Column("pupil_id", String(64), primary_key=True),
    Column("relationship", String(40), nullable=False),
    Column("parental_responsibility", Boolean, nullable=False, server_default=true()),
)

# Not a projection: the service's own state for secrets, written in the same transaction as
# the AccountOpened event, and kept out of events (see AccountOpened).
credentials_metadata = new_metadata()
credentials = Table(
    "credentials", credentials_metadata,
    Column("person_id", String(64), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
)

classes = Table(
    "classes", metadata,
    Column("class_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("name", String(40), nullable=False),
    Column("year_group", Integer),
    Column("mis_id", String(64)),
    Column("closed", Boolean, nullable=False, default=False),
)
class_teachers = Table(
    "class_teachers", metadata,
    Column("class_id", String(64), primary_key=True),
    Column("person_id", String(64), primary_key=True),
)

HANDLED = (AuthorityEstablished, SchoolOnboarded, PersonEnrolled, PersonDetailsChanged,
           RoleAssigned, RoleRemoved, GuardianLinked, PersonLeft, AccountOpened, ClassRecorded,
           ClassClosed)


class DirectoryView(Projection):
    name = "directory-view"
    sources = ("directory",)
    handles = frozenset(e.type_name for e in HANDLED)
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply_batch(self, conn: AsyncConnection,
                          items: Sequence[tuple[Envelope, Event]]) -> None:
        # A roster sync enrols thousands at once: one INSERT per run of enrolments, not each.
        run: list[dict[str, Any]] = []
        for env, event in items:
            if isinstance(event, PersonEnrolled):
                run.append(_person_row(env, event))
                continue
            if run:
                await conn.execute(insert(people), run)
                run = []
            await self.apply(conn, env, event)
        if run:
            await conn.execute(insert(people), run)

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case AuthorityEstablished():
                await conn.execute(insert(authorities).values(**event.model_dump()))
            case SchoolOnboarded():
                await conn.execute(insert(schools).values(**event.model_dump(mode="json")))
            case PersonEnrolled():
                await conn.execute(insert(people).values(_person_row(env, event)))
            case PersonDetailsChanged(person_id=pid):
                await conn.execute(update(people).where(people.c.person_id == pid).values(
                    **event.model_dump(exclude={"person_id"})))
            case RoleAssigned(person_id=pid, role=role):
                await conn.execute(insert(roles).values(person_id=pid, role=role.value))
            case RoleRemoved(person_id=pid, role=role):
                await conn.execute(delete(roles).where(roles.c.person_id == pid,
                                                       roles.c.role == role.value))
            case GuardianLinked(person_id=pid, pupil_id=pupil, relationship=rel,
                                parental_responsibility=responsible):
                await conn.execute(insert(guardians).values(
                    parent_id=pid, pupil_id=pupil, relationship=rel,
                    parental_responsibility=responsible))
            case PersonLeft(person_id=pid, left_on=left_on, reason=reason):
                await conn.execute(update(people).where(people.c.person_id == pid).values(
                    left_on=left_on, leave_reason=reason))
                await conn.execute(delete(roles).where(roles.c.person_id == pid))
            case AccountOpened(person_id=pid, username=username):
                await conn.execute(update(people).where(people.c.person_id == pid).values(
                    username=username))
            case ClassRecorded(class_id=cid):
                await _record_class(conn, event)
            case ClassClosed(class_id=cid):
                await conn.execute(update(classes).where(classes.c.class_id == cid)
                                   .values(closed=True))


async def _record_class(conn: AsyncConnection, event: ClassRecorded) -> None:
    cid = event.class_id
    await conn.execute(delete(classes).where(classes.c.class_id == cid))
    await conn.execute(delete(class_teachers).where(class_teachers.c.class_id == cid))
    await conn.execute(insert(classes).values(
        **event.model_dump(exclude={"teacher_ids"}), closed=False))
    if event.teacher_ids:
        await conn.execute(insert(class_teachers),
                           [{"class_id": cid, "person_id": t} for t in event.teacher_ids])


def _person_row(env: Envelope, event: PersonEnrolled) -> dict[str, Any]:
    return {**event.model_dump(mode="json", exclude={"date_of_birth"}),
            "date_of_birth": event.date_of_birth, "enrolled_at": env.occurred_at}
