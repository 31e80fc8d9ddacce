"""The agreement read model: templates and versions, each person's signatures and history,
and the internet-access register."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    delete,
    insert,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.agreement.domain.events import (
    AccessGranted,
    AccessRevoked,
    AccessSuspended,
    AgreementSigned,
    ConsentWithdrawn,
    TemplateCreated,
    VersionPublished,
)
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

templates = Table(
    "agreement_templates", metadata,
    Column("template_id", String(80), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("audience", String(20), nullable=False),
    Column("title", String(200), nullable=False),
)
versions = Table(
    "agreement_versions", metadata,
    Column("template_id", String(80), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("school_id", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("grace_days", Integer, nullable=False),
    Column("published_by", String(64), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)
# The signature each person holds now, per agreement (withdrawn ones are deleted).
held = Table(
    "agreement_held", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("audience", String(20), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("signed_on", Date, nullable=False),
)
access = Table(
    "agreement_access", metadata,
    Column("person_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("until", Date),
)
history = Table(
    "agreement_history", metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("person_id", String(64), nullable=False, index=True),
    Column("school_id", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("seq", Integer, nullable=False),  # the stream's version: orders one batch's events
    Column("entry", String(40), nullable=False),
    Column("audience", String(20)),
    Column("version", Integer),
    Column("method", String(10)),
    Column("dated", Date),
    Column("actor", String(64)),
    Column("detail", String(500)),
)

HANDLED = (TemplateCreated, VersionPublished, AgreementSigned, ConsentWithdrawn, AccessGranted,
           AccessSuspended, AccessRevoked)


class Register(Projection):
    name = "agreement-register"
    sources = ("agreement",)
    handles = frozenset(e.type_name for e in HANDLED)
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        entry = {"event_id": env.event_id, "school_id": env.school_id, "at": env.occurred_at,
                 "seq": env.aggregate_version}
        match event:
            case TemplateCreated():
                await conn.execute(insert(templates).values(**event.model_dump(mode="json")))
            case VersionPublished():
                await conn.execute(insert(versions).values(
                    **event.model_dump(exclude={"audience"}), published_at=env.occurred_at))
            case AgreementSigned(person_id=pid, audience=audience, version=v, signed_on=on):
                await conn.execute(delete(held).where(held.c.person_id == pid,
                                                      held.c.audience == audience.value))
                await conn.execute(insert(held).values(
                    person_id=pid, audience=audience.value, school_id=event.school_id,
                    version=v, signed_on=on))
                await conn.execute(insert(history).values(
                    **entry, person_id=pid, entry="signed", audience=audience.value, version=v,
                    method=event.method.value, dated=on, actor=event.signed_by,
                    detail=f"recorded by {event.recorded_by}"))
            case ConsentWithdrawn(person_id=pid, audience=audience):
                await conn.execute(delete(held).where(held.c.person_id == pid,
                                                      held.c.audience == audience.value))
                await conn.execute(insert(history).values(
                    **entry, person_id=pid, entry="withdrawn", audience=audience.value,
                    dated=event.withdrawn_on, actor=event.withdrawn_by, detail=event.reason))
            case AccessGranted() | AccessSuspended() | AccessRevoked():
                await _set_access(conn, env, event)


async def _set_access(conn: AsyncConnection, env: Envelope,
                      event: AccessGranted | AccessSuspended | AccessRevoked) -> None:
    status = {AccessGranted: "granted", AccessSuspended: "suspended",
              AccessRevoked: "revoked"}[type(event)]
    until = event.until if isinstance(event, AccessRevoked) else None
    row = {"status": status, "reason": event.reason, "since": env.occurred_at, "until": until}
    done = await conn.execute(update(access).where(access.c.person_id == event.person_id)
                              .values(**row))
    if not done.rowcount:
        await conn.execute(insert(access).values(person_id=event.person_id,
                                                 school_id=event.school_id, **row))
    await conn.execute(insert(history).values(
        event_id=env.event_id, school_id=env.school_id, at=env.occurred_at,
        seq=env.aggregate_version,
        person_id=event.person_id, entry=f"access {status}", dated=until, detail=event.reason))
