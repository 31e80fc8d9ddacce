"""Capture -> incident: a capture graded violation or urgent child protection opens exactly one
incident. The incident id derives from the capture id, and the decider opens it only once, so
redeliveries, relay re-sends, regrades and rebuild replays add nothing (a regrade to urgent
sets the child-protection flag on the incident already open)."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Column, DateTime, MetaData, String, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture.domain.events import (
    CaptureModerated,
    CaptureReceived,
    CaptureRegraded,
    CaptureTriaged,
    Grade,
)
from services.capture.domain.events import Category as CaptureCategory
from services.incident.domain.events import IncidentReported, RiskCategory
from services.incident.domain.incident import OpenFromCapture, incident
from shared.content import Erasable, keep_in, new_ref
from shared.db import new_metadata
from shared.decider import load_in
from shared.events import Envelope, Event, Metadata
from shared.eventstore import EventStore, NewEvents
from shared.projection import Projection
from shared.registry import EventRegistry

OPENS = frozenset({Grade.VIOLATION, Grade.URGENT_CHILD_PROTECTION})
# The capture's category, as one of the 4 Cs where it maps (gaming and unclassified do not).
FOUR_CS: dict[CaptureCategory, RiskCategory] = {
    CaptureCategory.BULLYING: RiskCategory.CONDUCT,
    CaptureCategory.GROOMING_CSE: RiskCategory.CONTACT,
    CaptureCategory.SEXUAL_CONTENT: RiskCategory.CONTENT,
    CaptureCategory.SELF_HARM: RiskCategory.CONTENT,
    CaptureCategory.SUICIDE: RiskCategory.CONTENT,
    CaptureCategory.EXTREMISM: RiskCategory.CONTENT,
    CaptureCategory.DRUGS: RiskCategory.CONTENT,
    CaptureCategory.GAMBLING: RiskCategory.COMMERCE,
    CaptureCategory.VIOLENCE: RiskCategory.CONTENT,
    CaptureCategory.DISCRIMINATION: RiskCategory.CONDUCT,
    CaptureCategory.WEAPONS: RiskCategory.CONTENT,
    CaptureCategory.UNMODERATED_CHAT: RiskCategory.CONTACT,
}

metadata = new_metadata()

# What the reaction needs to know of a capture before it is graded. The receipt and the
# triage each fill their own columns, so either may be applied first: after a crash JetStream
# hands a new consumer the later events while the dead one's batch waits out its ack time.
captures = Table(
    "incident_captures", metadata,
    Column("capture_id", String(80), primary_key=True),
    Column("school_id", String(64), nullable=False),
    Column("captured_at", DateTime(timezone=True)),
    Column("url", String(2000)),
    Column("who", String(300)),
    Column("category", String(40)),
)


def incident_id_for(capture_id: str) -> str:
    return f"capture-{capture_id}"


class CaptureReaction(Projection):
    name = "incident-captures"
    sources = ("capture",)
    handles = frozenset(e.type_name for e in (CaptureReceived, CaptureTriaged,
                                               CaptureModerated, CaptureRegraded))
    metadata: ClassVar[MetaData] = metadata

    def __init__(self, store: EventStore, registry: EventRegistry) -> None:
        self.store, self.registry = store, registry

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case CaptureReceived():
                await _fill(conn, event.capture_id, env.school_id, captured_at=event.captured_at,
                            url=event.url, who=f"{event.username} on {event.machine}"[:300])
            case CaptureTriaged(capture_id=cid, category=category):
                await _fill(conn, cid, env.school_id, category=category.value)
            case CaptureModerated() | CaptureRegraded():
                if event.grade in OPENS:
                    await self._open(conn, env, event)

    async def _open(self, conn: AsyncConnection, env: Envelope,
                    event: CaptureModerated | CaptureRegraded) -> None:
        found = (await conn.execute(select(captures).where(
            captures.c.capture_id == event.capture_id))).first()
        category = CaptureCategory(found.category) if found and found.category else None
        urgent = event.grade is Grade.URGENT_CHILD_PROTECTION
        lines = [f"Monitoring capture graded {event.grade.value.replace('_', ' ')} "
                 f"by LA moderation."]
        if found is not None and found.who:
            lines.append(f"User: {found.who}.")
        # The capture's text and the moderator's notes are not copied: they stay in the
        # capture service, erasable under its retention (the events carry only their ref).
        lines.append("The captured text, screenshot and moderator's notes are in the "
                     "capture's detail.")
        iid = incident_id_for(event.capture_id)
        # The description names the pupil's login: erasable text.
        kept = Erasable(new_ref(), env.school_id, incident.aggregate_type, iid,
                        {"description": "\n".join(lines)})
        command = OpenFromCapture(
            school_id=env.school_id, incident_id=iid, capture_id=event.capture_id,
            occurred_at=found.captured_at if found and found.captured_at else env.occurred_at,
            url=found.url if found else None, content_ref=kept.ref,
            category=FOUR_CS.get(category) if category else None,
            child_protection=urgent or category is CaptureCategory.GROOMING_CSE,
            cyber_bullying=category is CaptureCategory.BULLYING)
        state, version = await load_in(conn, self.registry, incident, iid)
        new = incident.decide(command, state)
        if new:
            if any(isinstance(e, IncidentReported) for e in new):
                await keep_in(conn, [kept])
            await self.store.append_in(conn, NewEvents(
                "incident", iid, version, new, Metadata(school_id=env.school_id).caused_by(env)))
            self.store.appended.set()


async def _fill(conn: AsyncConnection, capture_id: str, school_id: str, **values: object) -> None:
    """Set these columns of the capture's row, making the row if it is not there yet."""
    done = await conn.execute(update(captures).where(captures.c.capture_id == capture_id)
                              .values(**values))
    if done.rowcount == 0:
        await conn.execute(insert(captures).values(capture_id=capture_id, school_id=school_id,
                                                   **values))
