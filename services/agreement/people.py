"""The school's people as this service knows them: a projection of the directory's events.

No service reads another's database: kind, year group, class, guardian links and leavers arrive
as the directory's events and are kept here.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.directory.domain.events import (
    GuardianLinked,
    PersonDetailsChanged,
    PersonEnrolled,
    PersonLeft,
)
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

people = Table(
    "agreement_people", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("given_name", String(100), nullable=False),
    Column("family_name", String(100), nullable=False),
    Column("year_group", Integer),
    Column("class_name", String(40)),
    Column("left_on", Date),
)
guardians = Table(
    "agreement_guardians", metadata,
    Column("parent_id", String(64), primary_key=True),
    Column("pupil_id", String(64), primary_key=True),
)


class People(Projection):
    name = "agreement-people"
    sources = ("directory",)
    handles = frozenset(e.type_name for e in (PersonEnrolled, PersonDetailsChanged,
                                               GuardianLinked, PersonLeft))
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case PersonEnrolled():
                await conn.execute(insert(people).values(
                    person_id=event.person_id, school_id=event.school_id,
                    kind=event.kind.value, given_name=event.given_name,
                    family_name=event.family_name, year_group=event.year_group,
                    class_name=event.class_name))
            case PersonDetailsChanged(person_id=pid):
                await conn.execute(update(people).where(people.c.person_id == pid).values(
                    given_name=event.given_name, family_name=event.family_name,
                    year_group=event.year_group, class_name=event.class_name))
            case GuardianLinked(person_id=parent, pupil_id=pupil):
                await conn.execute(insert(guardians).values(parent_id=parent, pupil_id=pupil))
            case PersonLeft(person_id=pid, left_on=left_on):
                await conn.execute(update(people).where(people.c.person_id == pid)
                                   .values(left_on=left_on))
