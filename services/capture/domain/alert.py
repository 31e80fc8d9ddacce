"""Alerts to a school: raised once per escalation of a capture, acknowledged once by a named
person, and escalated to the headteacher and the LA when an urgent one is left unacknowledged
past its deadline. A school's deadline is its own small aggregate (`alert_policy`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import assert_never

from services.capture.domain.events import (
    AlertAcknowledged,
    AlertDeadlineSet,
    AlertEscalated,
    AlertRaised,
    Grade,
    Recipient,
)
from shared.decider import Decider
from shared.errors import InvalidInput, NotFound
from shared.events import Event

DEFAULT_DEADLINE_MINUTES = 15
# Who hears of an escalated capture, and who hears of an overdue urgent one.
ALERT_ROLES = ("dsl", "deputy_dsl", "ict_lead")
ESCALATION_ROLES = ("headteacher", "la")


def alert_id_of(capture_id: str, grade: Grade) -> str:
    """One alert per capture and grade: a redelivered escalation maps to the same alert."""
    return hashlib.sha256(f"{capture_id}\x1f{grade.value}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Raise:
    raised: AlertRaised


@dataclass(frozen=True)
class Acknowledge:
    """`content_ref`: where the handler kept the note (None: no note)."""

    school_id: str
    by: str
    by_name: str
    note: str
    at: datetime
    content_ref: str | None = None


@dataclass(frozen=True)
class EscalateIfOverdue:
    school_id: str
    as_of: datetime
    headteachers: tuple[Recipient, ...] = ()


AlertCommand = Raise | Acknowledge | EscalateIfOverdue


@dataclass(frozen=True)
class Alert:
    exists: bool = False
    alert_id: str = ""
    school_id: str = ""
    capture_id: str = ""
    urgent: bool = False
    acknowledge_by: datetime | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    escalated: bool = False

    def overdue(self, as_of: datetime) -> bool:
        return (self.urgent and self.acknowledged_by is None and not self.escalated
                and self.acknowledge_by is not None and self.acknowledge_by <= as_of)


def decide(command: AlertCommand, state: Alert) -> list[Event]:
    if isinstance(command, Raise):
        return [] if state.exists else [command.raised]
    if not state.exists or state.school_id != command.school_id:
        raise NotFound("no such alert at this school", field="alert_id")
    match command:
        case Acknowledge():
            if state.acknowledged_by is not None:
                raise InvalidInput(f"already acknowledged by {state.acknowledged_by} at "
                                   f"{state.acknowledged_at:%H:%M} UTC", field="alert_id")
            return [AlertAcknowledged(alert_id=state.alert_id, by=command.by,
                                      by_name=command.by_name,
                                      content_ref=command.content_ref, at=command.at)]
        case EscalateIfOverdue(as_of=as_of, headteachers=heads):
            if not state.overdue(as_of):
                return []
            assert state.acknowledge_by is not None
            return [AlertEscalated(alert_id=state.alert_id, roles=list(ESCALATION_ROLES),
                                   recipients=list(heads), overdue_since=state.acknowledge_by,
                                   at=as_of)]
        case _:
            assert_never(command)


def evolve(state: Alert, event: Event) -> Alert:
    match event:
        case AlertRaised():
            return Alert(exists=True, alert_id=event.alert_id, school_id=event.school_id,
                         capture_id=event.capture_id, urgent=event.urgent,
                         acknowledge_by=event.acknowledge_by)
        case AlertAcknowledged(by=by, at=at):
            return replace(state, acknowledged_by=by, acknowledged_at=at)
        case AlertEscalated():
            return replace(state, escalated=True)
        case _:
            return state


alert = Decider[AlertCommand, Alert]("alert", Alert(), decide, evolve)


@dataclass(frozen=True)
class SetDeadline:
    school_id: str
    minutes: int
    by: str


def decide_policy(command: SetDeadline, minutes: int) -> list[Event]:
    if not 1 <= command.minutes <= 24 * 60:
        raise InvalidInput("the deadline is between 1 minute and 24 hours", field="minutes")
    if command.minutes == minutes:
        return []
    return [AlertDeadlineSet(school_id=command.school_id, minutes=command.minutes,
                             by=command.by)]


def evolve_policy(minutes: int, event: Event) -> int:
    return event.minutes if isinstance(event, AlertDeadlineSet) else minutes


alert_policy = Decider[SetDeadline, int]("alert-policy", DEFAULT_DEADLINE_MINUTES,
                                         decide_policy, evolve_policy)
