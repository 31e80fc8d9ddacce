"""Alerts to schools: a reaction raises one when a capture is escalated, addressed to the
people holding the alert roles then; the school acknowledges it; a timer escalates urgent
ones left unacknowledged past the school's deadline to the headteacher and the LA."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture.alert_view import alerts
from services.capture.domain.alert import (
    ALERT_ROLES,
    Acknowledge,
    EscalateIfOverdue,
    Raise,
    alert,
    alert_id_of,
    alert_policy,
)
from services.capture.domain.capture import capture
from services.capture.domain.events import AlertRaised, ConcernEscalated
from services.capture.staff import holders
from shared.content import Erasable, new_ref
from shared.decider import load_in
from shared.events import Clock, Envelope, Event, Metadata
from shared.eventstore import EventStore, NewEvents
from shared.periodic import Job, every
from shared.projection import Projection
from shared.registry import EventRegistry
from shared.service import Kit

log = logging.getLogger(__name__)
EVERY_SECONDS = 60.0  # an overdue alert escalates at most a minute late
NOTE = "note"  # the erasable field of an acknowledgement's note




class AlertRaiser(Projection):
    """ConcernEscalated -> AlertRaised, in the transaction that records the escalation as
    applied (once, even on redelivery; a replay finds the alert already raised)."""

    name = "capture-alert-raiser"
    sources = ("capture",)
    handles = frozenset({ConcernEscalated.type_name})
    urgent = True  # a school's DSL waits for the alert

    def __init__(self, store: EventStore, registry: EventRegistry) -> None:
        self.store, self.registry = store, registry

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if not isinstance(event, ConcernEscalated):
            return
        school = env.school_id
        aid = alert_id_of(event.capture_id, event.grade)
        state, version = await load_in(conn, self.registry, alert, aid)
        if state.exists:
            return
        captured, _ = await load_in(conn, self.registry, capture, event.capture_id)
        minutes, _ = await load_in(conn, self.registry, alert_policy, school)
        raised = AlertRaised(
            alert_id=aid, capture_id=event.capture_id, school_id=school,
            la_id=captured.la_id, grade=event.grade, category=event.category,
            severity=event.severity, urgent=event.urgent, content_ref=event.content_ref,
            roles=list(ALERT_ROLES), recipients=await holders(conn, school, ALERT_ROLES),
            acknowledge_by=env.occurred_at + timedelta(minutes=minutes) if event.urgent
            else None)
        meta = Metadata(school_id=school, correlation_id=env.correlation_id,
                        causation_id=env.event_id, occurred_at=env.occurred_at)
        # The relay is woken once this commits (the consumer's `committed`); woken before, it
        # found nothing and queued a write of its own ahead of the next event's transaction.
        await self.store.append_in(conn, NewEvents(alert.aggregate_type, aid, version,
                                                   alert.decide(Raise(raised), state), meta))


@dataclass
class Alerting:
    kit: Kit
    clock: Clock

    async def acknowledge(self, school_id: str, alert_id: str, by: str, by_name: str,
                          note: str) -> None:
        at = self.clock()
        state, _ = await self.kit.bus.load(alert, alert_id)
        # Filed with the alert's capture: erased with the capture's metadata.
        kept = Erasable(new_ref(), school_id, capture.aggregate_type, state.capture_id,
                        {NOTE: note.strip()}) if note.strip() and state.exists else None
        await self.kit.bus.execute(alert, alert_id,
                                   Acknowledge(school_id, by, by_name, note, at,
                                               kept.ref if kept else None),
                                   Metadata(school_id=school_id, occurred_at=at),
                                   keep=[kept] if kept else [])

    async def escalate_overdue(self, as_of: datetime) -> list[str]:
        """Escalate the urgent alerts open past their deadline; the decider re-checks each
        against its own events (the read model may lag an acknowledgement)."""
        as_of = as_of.astimezone(UTC)
        async with self.kit.db.read() as conn:
            due = list(await conn.execute(
                select(alerts.c.alert_id, alerts.c.school_id).where(
                    alerts.c.status == "open", alerts.c.urgent.is_(True),
                    alerts.c.escalated_at.is_(None), alerts.c.acknowledge_by <= as_of)
                .order_by(alerts.c.acknowledge_by)))
            heads = {school: tuple(await holders(conn, school, ("headteacher",)))
                     for school in {row.school_id for row in due}}
        done = []
        for row in due:
            outcome = await self.kit.bus.execute(
                alert, row.alert_id, EscalateIfOverdue(row.school_id, as_of, heads[row.school_id]),
                Metadata(school_id=row.school_id, occurred_at=as_of))
            if outcome.envelopes:
                done.append(row.alert_id)
        return done

    def timer(self, seconds: float = EVERY_SECONDS) -> Job:
        return every(seconds, lambda: self.escalate_overdue(self.clock()),
                     "escalate_periodically", "escalated %d overdue urgent alerts", log,
                     logging.WARNING)
