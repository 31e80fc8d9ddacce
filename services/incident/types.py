"""The schools' incident types: the rows of their current sanction matrices (pupil and staff),
kept from the sanction service's `MatrixPublished` events. An incident is classified only with
a type of its school's matrices for the people involved."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.incident.domain.incident import Incident
from services.sanction.domain.events import MatrixAudience, MatrixPublished
from shared.db import Database, new_metadata
from shared.errors import InvalidInput
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

types = Table(
    "incident_types", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("audience", String(20), primary_key=True),
    Column("key", String(80), primary_key=True),
    Column("label", String(400), nullable=False),
    Column("version", Integer, nullable=False),
)


class IncidentTypes(Projection):
    name = "incident-types"
    sources = ("sanction",)
    handles = frozenset({MatrixPublished.type_name})
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if not isinstance(event, MatrixPublished):
            return
        t = types.c
        await conn.execute(delete(types).where(t.school_id == event.school_id,
                                               t.audience == event.audience.value))
        await conn.execute(insert(types), [
            {"school_id": event.school_id, "audience": event.audience.value, "key": r.key,
             "label": r.label, "version": event.version} for r in event.rows])


def audiences(state: Incident) -> set[str]:
    """The matrices for the people involved: pupils', staff's; either when nobody from the
    directory is named yet (a capture, an outsider)."""
    named = {a.value for a, on in ((MatrixAudience.PUPIL, state.about_pupils),
                                   (MatrixAudience.STAFF, state.about_staff)) if on}
    return named or {a.value for a in MatrixAudience}


async def check(db: Database, school_id: str, audiences: set[str], key: str) -> None:
    """A type of the school's current matrices for those audiences, or a clear error."""
    async with db.read() as conn:
        found = list(await conn.execute(select(types.c.key, types.c.audience).where(
            types.c.school_id == school_id, types.c.audience.in_(audiences))))
    if any(row.key == key for row in found):
        return
    if not found:
        raise InvalidInput("this school has no sanction matrix for the people involved yet: "
                           "its incident types are the matrix's rows", field="incident_type")
    raise InvalidInput(f"{key} is not an incident type of this school's "
                       f"{' or '.join(sorted(audiences))} matrix (see incidentTypes)",
                       field="incident_type")
