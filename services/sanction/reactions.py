"""Incident -> sanction: an incident classified with a type gets, for each pupil or member of
staff involved (a directory person), that type's row of their matrix as a recommendation.

The reaction keeps what it needs of the incidents (who is involved; the flags the routing rules
read). It decides on the person's record inside the transaction the kit opens for the incoming
event, and the record recommends once per incident and type, so redeliveries, relay re-sends
and rebuild replays add nothing.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.incident.domain.events import (
    IncidentClassified,
    IncidentReported,
    Involved,
    InvolvedAdded,
    InvolvedKind,
    Source,
)
from services.sanction.domain.events import MatrixAudience
from services.sanction.domain.matrix import matrix, matrix_id
from services.sanction.domain.record import Recommend, record, record_id
from shared.db import new_metadata
from shared.decider import load_in
from shared.events import Envelope, Event, Metadata
from shared.eventstore import EventStore, NewEvents
from shared.projection import Projection
from shared.registry import EventRegistry

metadata = new_metadata()

incidents = Table(
    "sanction_incidents", metadata,
    Column("incident_id", String(80), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("reporter", String(64), nullable=False),
    Column("child_protection", Boolean, nullable=False),
    Column("about_staff", Boolean, nullable=False),
    Column("head_only", Boolean, nullable=False),
    Column("came_to_light", String(20), nullable=False),
    Column("incident_type", String(120)),
)
involved = Table(
    "sanction_involved", metadata,
    Column("incident_id", String(80), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("person_id", String(64), nullable=False),
    Column("audience", String(20), nullable=False),
    Column("name", String(200), nullable=False),
)
AUDIENCES = {InvolvedKind.PUPIL: MatrixAudience.PUPIL, InvolvedKind.STAFF: MatrixAudience.STAFF}


class IncidentReaction(Projection):
    name = "sanction-incidents"
    sources = ("incident",)
    handles = frozenset({IncidentReported.type_name, IncidentClassified.type_name,
                         InvolvedAdded.type_name})
    metadata: ClassVar[MetaData] = metadata

    def __init__(self, store: EventStore, registry: EventRegistry) -> None:
        self.store, self.registry = store, registry

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case IncidentReported():
                await _reported(conn, event)
            case InvolvedAdded():
                await _involve(conn, event.incident_id, event.involved)
                known = (await conn.execute(select(incidents.c.incident_type).where(
                    incidents.c.incident_id == event.incident_id))).scalar_one_or_none()
                if known:  # already classified: the newly named get their recommendation
                    await self._recommend(conn, env, event.incident_id, known)
            case IncidentClassified():
                await conn.execute(update(incidents).where(
                    incidents.c.incident_id == event.incident_id).values(
                    child_protection=event.child_protection,
                    incident_type=event.incident_type))
                if event.incident_type:
                    await self._recommend(conn, env, event.incident_id, event.incident_type)

    async def _recommend(self, conn: AsyncConnection, env: Envelope, incident_id: str,
                         incident_type: str) -> None:
        people = await conn.execute(select(involved).where(
            involved.c.incident_id == incident_id).order_by(involved.c.seq))
        batches, seen = [], set()
        for person in people:
            # Named twice in one incident (possible: naming is not checked against the list)
            # is one recommendation; two would race for the record's same version (poison).
            if person.person_id in seen:
                continue
            seen.add(person.person_id)
            audience = MatrixAudience(person.audience)
            policy, _ = await load_in(conn, self.registry, matrix,
                                      matrix_id(env.school_id, audience))
            rid = record_id(env.school_id, person.person_id)
            state, version = await load_in(conn, self.registry, record, rid)
            new = record.decide(Recommend(
                school_id=env.school_id, incident_id=incident_id, person_id=person.person_id,
                person_name=person.name, audience=audience, incident_type=incident_type,
                matrix=policy, at=env.occurred_at), state)
            if new:
                batches.append(NewEvents(record.aggregate_type, rid, version, new,
                                         Metadata(school_id=env.school_id).caused_by(env)))
        if batches:
            await self.store.append_in(conn, *batches)
            self.store.appended.set()


async def _reported(conn: AsyncConnection, event: IncidentReported) -> None:
    staff = any(p.kind is InvolvedKind.STAFF for p in event.involved)
    await conn.execute(insert(incidents).values(
        incident_id=event.incident_id, school_id=event.school_id, reporter=event.reporter,
        child_protection=False, about_staff=staff,
        head_only=staff and event.came_to_light is Source.COMPLAINT,
        came_to_light=event.came_to_light.value))
    await _involve(conn, event.incident_id, event.involved)


async def _involve(conn: AsyncConnection, incident_id: str, people: list[Involved]) -> None:
    first = (await conn.execute(select(func.count()).where(
        involved.c.incident_id == incident_id))).scalar_one()
    rows = [{"incident_id": incident_id, "seq": first + i, "person_id": p.person_id,
             "audience": AUDIENCES[p.kind].value, "name": p.name}
            for i, p in enumerate(people) if p.person_id and p.kind in AUDIENCES]
    if rows:
        await conn.execute(insert(involved), rows)
    if any(p.kind is InvolvedKind.STAFF for p in people):
        c = incidents.c
        await conn.execute(update(incidents).where(c.incident_id == incident_id).values(
            about_staff=True, head_only=c.came_to_light == Source.COMPLAINT.value))
