"""Read models for record transfers: the LA's schools and their pupils as the directory says
(who left, whose names to redact) and the transfers themselves, for both schools."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    and_,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.directory.domain.events import (
    PersonDetailsChanged,
    PersonEnrolled,
    PersonKind,
    PersonLeft,
    SchoolOnboarded,
)
from services.incident.contracts import RecordTransfers, RecordTransferView, TransferredIncident
from services.incident.domain.events import (
    TRANSFER_NOTE,
    RecordTransferPurged,
    RecordTransferReceived,
    RecordTransferSent,
)
from shared import content
from shared.db import Database, new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

directory_metadata = new_metadata()
schools = Table(
    "transfer_schools", directory_metadata,
    Column("school_id", String(64), primary_key=True),
    Column("la_id", String(64), nullable=False),
)
pupils = Table(
    "transfer_pupils", directory_metadata,
    Column("person_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("given_name", String(100), nullable=False),
    Column("family_name", String(100), nullable=False),
    Column("left_on", Date),
)

transfer_metadata = new_metadata()
transfers = Table(
    "record_transfers", transfer_metadata,
    Column("transfer_id", String(140), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("to_school_id", String(64), nullable=False, index=True),
    Column("person_id", String(64), nullable=False),
    Column("pupil_name", String(201), nullable=False),
    Column("note", Text, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("sent_by", String(64), nullable=False),
    Column("sent_by_name", String(200), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("joiner_id", String(64), index=True),
    Column("received_at", DateTime(timezone=True)),
    Column("received_by", String(64)),
    Column("received_by_name", String(200)),
    Column("text_removed_on", Date),  # retention removed the summaries and the note
)
items = Table(
    "record_transfer_items", transfer_metadata,
    Column("transfer_id", String(140), primary_key=True),
    Column("incident_id", String(80), primary_key=True),
    Column("summary", Text, nullable=False),
)


class TransferDirectory(Projection):
    name = "incident-transfer-directory"
    sources = ("directory",)
    handles = frozenset(e.type_name for e in (SchoolOnboarded, PersonEnrolled,
                                               PersonDetailsChanged, PersonLeft))
    metadata: ClassVar[MetaData] = directory_metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case SchoolOnboarded():
                await conn.execute(insert(schools).values(school_id=event.school_id,
                                                          la_id=event.la_id))
            case PersonEnrolled(kind=PersonKind.PUPIL):
                await conn.execute(insert(pupils).values(
                    person_id=event.person_id, school_id=event.school_id,
                    given_name=event.given_name, family_name=event.family_name))
            case PersonDetailsChanged(person_id=pid):
                await conn.execute(update(pupils).where(pupils.c.person_id == pid).values(
                    given_name=event.given_name, family_name=event.family_name))
            case PersonLeft(person_id=pid, left_on=on):
                await conn.execute(update(pupils).where(pupils.c.person_id == pid)
                                   .values(left_on=on))


class Transfers(Projection):
    name = "incident-transfers"
    sources = ("incident",)
    handles = frozenset(e.type_name for e in (RecordTransferSent, RecordTransferReceived,
                                               RecordTransferPurged))
    metadata: ClassVar[MetaData] = transfer_metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case RecordTransferSent():
                sent = dict((await content.texts_in(conn, [event.content_ref])).get(
                    event.content_ref or "", {}))
                note = sent.pop(TRANSFER_NOTE, "")
                await conn.execute(insert(transfers).values(
                    **event.model_dump(include={"transfer_id", "school_id", "to_school_id",
                                                "person_id", "pupil_name", "due_on"}),
                    note=note, sent_at=env.occurred_at, sent_by=event.by,
                    sent_by_name=event.by_name))
                if sent:
                    await conn.execute(insert(items), [
                        {"transfer_id": event.transfer_id, "incident_id": iid, "summary": text}
                        for iid, text in sent.items()])
            case RecordTransferPurged(transfer_id=tid, removed_on=on):
                await conn.execute(update(items).where(items.c.transfer_id == tid)
                                   .values(summary=""))
                await conn.execute(update(transfers).where(transfers.c.transfer_id == tid)
                                   .values(note="", text_removed_on=on))
            case RecordTransferReceived():
                await conn.execute(update(transfers).where(
                    transfers.c.transfer_id == event.transfer_id).values(
                    joiner_id=event.joiner_id, received_at=env.occurred_at,
                    received_by=event.by, received_by_name=event.by_name))


async def pupil(db: Database, school_id: str, person_id: str) -> Any:
    async with db.read() as conn:
        return (await conn.execute(select(pupils).where(
            pupils.c.school_id == school_id, pupils.c.person_id == person_id))).first()


async def other_pupils(db: Database, school_id: str, person_id: str) -> list[Any]:
    async with db.read() as conn:
        return list(await conn.execute(select(pupils).where(
            pupils.c.school_id == school_id, pupils.c.person_id != person_id)))


async def la_of(db: Database, school_id: str) -> str | None:
    async with db.read() as conn:
        found: str | None = (await conn.execute(select(schools.c.la_id).where(
            schools.c.school_id == school_id))).scalar_one_or_none()
        return found


async def listed(db: Database, q: RecordTransfers, today: date) -> list[RecordTransferView]:
    """The school's transfers, sent or received; with a person, the ones about them: as the
    leaver here, or as the joiner here (ids are per school)."""
    t = transfers.c
    if q.person_id:
        query = select(transfers).where(or_(
            and_(t.school_id == q.school_id, t.person_id == q.person_id),
            and_(t.to_school_id == q.school_id, t.joiner_id == q.person_id)))
    else:
        query = select(transfers).where(or_(t.school_id == q.school_id,
                                            t.to_school_id == q.school_id))
    async with db.read() as conn:
        rows = list(await conn.execute(query.order_by(t.sent_at.desc(), t.transfer_id)))
        sent: dict[str, list[TransferredIncident]] = {r.transfer_id: [] for r in rows}
        found = await conn.execute(select(items).where(items.c.transfer_id.in_(sent))
                                   .order_by(items.c.transfer_id, items.c.incident_id))
        for i in found:
            sent[i.transfer_id].append(TransferredIncident(incident_id=i.incident_id,
                                                           summary=i.summary))
    return [RecordTransferView(**r._mapping, incidents=sent[r.transfer_id],
                               overdue=r.received_at is None and today > r.due_on)
            for r in rows]
