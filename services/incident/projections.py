"""The incident read model: the log (one row per incident, with the facts the routing rules
need), the people involved, the chronology (one entry per event) and the termly reviews."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.incident.domain.events import (
    IncidentAssigned,
    IncidentClassified,
    IncidentClosed,
    IncidentContentPurged,
    IncidentNoteAdded,
    IncidentReferred,
    IncidentReported,
    IncidentStatusChanged,
    Involved,
    InvolvedAdded,
    InvolvedKind,
    RecordTransferReceived,
    Source,
    Status,
    TermlyReviewRecorded,
)
from shared import content
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

incidents = Table(
    "incident_log", metadata,
    Column("incident_id", String(80), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False, index=True),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("url", String(2000)),
    Column("description", Text, nullable=False),
    Column("came_to_light", String(20), nullable=False),
    Column("reporter", String(64), nullable=False),
    Column("reporter_name", String(200), nullable=False),
    Column("capture_id", String(80)),
    Column("category", String(20)),
    Column("incident_type", String(120)),
    Column("cyber_bullying", Boolean, nullable=False),
    Column("child_protection", Boolean, nullable=False),
    Column("about_staff", Boolean, nullable=False),
    Column("head_only", Boolean, nullable=False),
    Column("status", String(20), nullable=False),
    Column("assignee", String(64)),
    Column("referrals", String(200), nullable=False),
    Column("outcome", Text),
    Column("text_removed_on", Date),  # retention removed the description and notes
    Column("transferred_to", String(64)),  # the pupil's record went to this school
)
involved = Table(
    "incident_involved", metadata,
    Column("incident_id", String(80), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("school_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("person_id", String(64), index=True),
    Column("name", String(200), nullable=False),
)
chronology = Table(
    "incident_chronology", metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("incident_id", String(80), nullable=False, index=True),
    Column("seq", Integer, nullable=False),  # the incident stream's version: the order
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", String(64), nullable=False),
    Column("entry", String(20), nullable=False),
    Column("detail", Text, nullable=False),
    Column("content_ref", String(64)),  # the detail is erasable text kept under this ref
)
reviews = Table(
    "incident_reviews", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("term", String(20), primary_key=True),
    Column("reviewer", String(64), nullable=False),
    Column("reviewer_name", String(200), nullable=False),
    Column("findings", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

HANDLED = (IncidentReported, IncidentClassified, IncidentAssigned, IncidentNoteAdded,
           IncidentStatusChanged, IncidentReferred, IncidentClosed, TermlyReviewRecorded,
           InvolvedAdded, IncidentContentPurged, RecordTransferReceived)


class Log(Projection):
    name = "incident-log"
    sources = ("incident",)
    handles = frozenset(e.type_name for e in HANDLED)
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if isinstance(event, TermlyReviewRecorded):
            await conn.execute(insert(reviews).values(
                **event.model_dump(), recorded_at=env.occurred_at))
            return
        if isinstance(event, RecordTransferReceived):
            await conn.execute(update(incidents).where(
                incidents.c.school_id == event.school_id,
                incidents.c.incident_id.in_(event.transferred_ids)).values(
                transferred_to=event.to_school_id))
            return
        ref = getattr(event, "content_ref", None)
        kept = (await content.texts_in(conn, [ref])).get(ref or "", {})
        if isinstance(event, IncidentReported):
            await _reported(conn, env, event, kept.get("description", ""))
        elif isinstance(event, IncidentContentPurged):
            await _purged(conn, event)
        elif isinstance(event, InvolvedAdded):
            await _involve(conn, env.school_id, event.incident_id, event.involved)
        else:
            await _changed(conn, env.aggregate_id, event, kept)
        # The entry's detail is what is not erasable (a referral's agency and reference);
        # its text is read from the erasable content under `content_ref` when it is shown,
        # so a purge has nothing to blank here.
        entry, by, detail = describe(event)
        await conn.execute(insert(chronology).values(
            event_id=env.event_id, incident_id=env.aggregate_id, seq=env.aggregate_version,
            at=env.occurred_at, by=by, entry=entry, detail=detail, content_ref=ref))


async def _purged(conn: AsyncConnection, event: IncidentContentPurged) -> None:
    row = incidents.c
    await conn.execute(update(incidents).where(row.incident_id == event.incident_id).values(
        description="", text_removed_on=event.removed_on,
        outcome=case((row.outcome.is_(None), None), else_="")))
    # Entries projected before their text was read at show time held a copy of it.
    await conn.execute(update(chronology).where(chronology.c.content_ref.in_(event.refs),
                                                chronology.c.entry != "referred")
                       .values(detail=""))


async def _reported(conn: AsyncConnection, env: Envelope, event: IncidentReported,
                    description: str) -> None:
    staff = any(p.kind is InvolvedKind.STAFF for p in event.involved)
    await conn.execute(insert(incidents).values(
        incident_id=event.incident_id, school_id=event.school_id,
        occurred_at=event.occurred_at, reported_at=env.occurred_at, url=event.url,
        description=description, came_to_light=event.came_to_light.value,
        reporter=event.reporter, reporter_name=event.reporter_name,
        capture_id=event.capture_id, cyber_bullying=False, child_protection=False,
        about_staff=staff, head_only=staff and event.came_to_light is Source.COMPLAINT,
        status=Status.REPORTED.value, referrals=""))
    await _involve(conn, event.school_id, event.incident_id, event.involved)


async def _involve(conn: AsyncConnection, school_id: str, incident_id: str,
                   people: list[Involved]) -> None:
    if not people:
        return
    first = (await conn.execute(select(func.count()).where(
        involved.c.incident_id == incident_id))).scalar_one()
    await conn.execute(insert(involved), [
        {"incident_id": incident_id, "seq": first + i, "school_id": school_id,
         "kind": p.kind.value, "person_id": p.person_id, "name": p.name}
        for i, p in enumerate(people)])
    if any(p.kind is InvolvedKind.STAFF for p in people):
        c = incidents.c
        await conn.execute(update(incidents).where(c.incident_id == incident_id).values(
            about_staff=True, head_only=c.came_to_light == Source.COMPLAINT.value))


async def _changed(conn: AsyncConnection, incident_id: str, event: Event,
                   kept: dict[str, str]) -> None:
    row = incidents.c
    match event:
        case IncidentClassified():
            values: dict[str, object] = {
                "category": event.category.value if event.category else None,
                "incident_type": event.incident_type, "cyber_bullying": event.cyber_bullying,
                "child_protection": event.child_protection}
        case IncidentAssigned(assignee=assignee):
            values = {"assignee": assignee}
        case IncidentStatusChanged(status=status):
            values = {"status": status.value}
        case IncidentReferred(agency=agency):
            values = {"status": Status.REFERRED.value,
                      "referrals": row.referrals + f"{agency.value} "}
        case IncidentClosed():
            values = {"status": Status.CLOSED.value, "outcome": kept.get("outcome", "")}
        case _:
            return
    await conn.execute(update(incidents).where(row.incident_id == incident_id).values(**values))


def describe(event: Event) -> tuple[str, str, str]:
    """(entry, by, detail) of a chronology entry."""
    match event:
        case IncidentReported():
            return "reported", event.reporter, ""  # the text is the kept description
        case IncidentClassified():
            flags = [f for f, on in (("cyber-bullying", event.cyber_bullying),
                                     ("child protection", event.child_protection)) if on]
            parts = [event.category.value if event.category else "", event.incident_type or "",
                     ", ".join(flags)]
            return "classified", event.by, "; ".join(p for p in parts if p)
        case IncidentAssigned():
            return "assigned", event.by, event.assignee
        case InvolvedAdded():
            return "involved", event.by, ", ".join(
                f"{p.name or p.person_id} ({p.kind.value})" for p in event.involved)
        case IncidentNoteAdded():
            return event.kind.value, event.by, ""  # the text is the kept note
        case IncidentStatusChanged():
            return "status", event.by, f"{event.previous.value} -> {event.status.value}" + (
                f": {event.reason}" if event.reason else "")
        case IncidentReferred():  # and the kept notes
            return "referred", event.by, " ".join(
                p for p in (event.agency.value, event.reference) if p)
        case IncidentClosed():
            return "closed", event.by, ""  # the text is the kept outcome
        case IncidentContentPurged():
            return "purged", "system", (f"{' and '.join(event.fields)} removed under retention "
                                        f"on {event.removed_on.isoformat()}")
        case _:
            return "other", "", ""
