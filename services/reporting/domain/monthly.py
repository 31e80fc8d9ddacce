"""The headteacher's monthly report (Oakridge §2): captures, moderation turnaround, alerts,
violations and the incidents they opened, incidents, sanctions and actions, agreement
compliance with names (the headteacher may see them) and what is still open."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from services.reporting.domain.ledger import OPEN_GRADES, School
from services.reporting.domain.periods import Period
from services.reporting.domain.stats import Turnaround, tally, turnaround


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CaptureFigures(Frozen):
    received: int
    moderated: int
    by_category: dict[str, int]
    by_severity: dict[str, int]
    by_outcome: dict[str, int]
    per_day: dict[str, int]  # received per calendar day: the volumes chart


class ModerationTurnaround(Frozen):
    received_to_graded: Turnaround
    raised_to_acknowledged: Turnaround
    received_to_acknowledged: Turnaround


class AlertFigures(Frozen):
    raised: int
    urgent: int
    acknowledged: int
    escalated: int
    sla_breaches: int


class Violation(Frozen):
    capture_id: str
    grade: str
    incident_id: str | None  # the incident it opened, once the incident service has


class IncidentFigures(Frozen):
    reported: int
    by_category: dict[str, int]
    by_type: dict[str, int]
    by_source: dict[str, int]
    referred: int
    closed: int


class ActionFigures(Frozen):
    """Sanctions and actions taken, from the `sanction` service's events (none until then)."""

    total: int
    by_action: dict[str, int]


class PersonLine(Frozen):
    person_id: str
    name: str
    kind: str
    missing: list[str] = []


class Compliance(Frozen):
    needing_signature: list[PersonLine]
    suspended: list[PersonLine]
    by_access: dict[str, int]


class OpenItems(Frozen):
    awaiting_moderation: int
    oldest_awaiting_hours: float | None
    unacknowledged_alerts: int
    open_incidents: int


class MonthlyReport(Frozen):
    school_id: str
    school_name: str
    month: str
    as_of: datetime
    captures: CaptureFigures
    turnaround: ModerationTurnaround
    alerts: AlertFigures
    violations: list[Violation]
    incidents: IncidentFigures
    actions: ActionFigures
    compliance: Compliance
    open_items: OpenItems


def monthly(s: School, period: Period, as_of: datetime,
            names: Mapping[str, str]) -> MonthlyReport:
    """From `s` folded up to `as_of`; open items stand at the end of the month (or `as_of`)."""
    at = min(as_of, period.end)
    received = [c for c in s.captures.values() if period.holds(c.received_at)]
    graded = [c for c in s.captures.values() if c.graded_at and period.holds(c.graded_at)]
    raised = [a for a in s.alerts.values() if period.holds(a.raised_at)]
    acked = [a for a in s.alerts.values()
             if a.acknowledged_at and period.holds(a.acknowledged_at)]
    reported = [i for i in s.incidents.values() if period.holds(i.reported_at)]
    opened_by = {i.capture_id: i.incident_id for i in s.incidents.values() if i.capture_id}
    days: dict[str, int] = {}
    for c in received:
        day = c.received_at.date().isoformat()
        days[day] = days.get(day, 0) + 1
    waiting = [c for c in s.captures.values() if c.graded_at is None]
    actions = [a for a in s.actions if period.holds(a.at)]
    return MonthlyReport(
        school_id=s.school_id, school_name=s.name or s.school_id, month=period.label,
        as_of=as_of,
        captures=CaptureFigures(
            received=len(received), moderated=len(graded),
            by_category=tally(c.category for c in received),
            by_severity=tally(c.severity for c in received),
            by_outcome=tally(c.grade for c in graded), per_day=dict(sorted(days.items()))),
        turnaround=ModerationTurnaround(
            received_to_graded=turnaround((c.received_at, c.graded_at) for c in graded),
            raised_to_acknowledged=turnaround((a.raised_at, a.acknowledged_at) for a in acked),
            received_to_acknowledged=turnaround(
                (s.captures[a.capture_id].received_at, a.acknowledged_at) for a in acked
                if a.capture_id in s.captures)),
        alerts=AlertFigures(
            raised=len(raised), urgent=sum(a.urgent for a in raised), acknowledged=len(acked),
            escalated=sum(a.escalated for a in raised),
            sla_breaches=sum(a.breached(at) for a in s.alerts.values()
                             if a.due_at and period.holds(a.due_at))),
        violations=[Violation(capture_id=c.capture_id, grade=c.grade or "",
                              incident_id=opened_by.get(c.capture_id))
                    for c in sorted(graded, key=lambda c: c.capture_id)
                    if c.grade in OPEN_GRADES],
        incidents=IncidentFigures(
            reported=len(reported), by_category=tally(i.category for i in reported),
            by_type=tally(i.incident_type for i in reported),
            by_source=tally(i.came_to_light for i in reported),
            referred=sum(bool(i.referrals) for i in reported),
            closed=sum(1 for i in s.incidents.values()
                       if i.closed_at and period.holds(i.closed_at))),
        actions=ActionFigures(total=len(actions), by_action=tally(a.category for a in actions)),
        compliance=compliance(s, names),
        open_items=OpenItems(
            awaiting_moderation=len(waiting),
            oldest_awaiting_hours=round(max((at - c.received_at for c in waiting),
                                            default=timedelta()).total_seconds() / 3600, 1)
            if waiting else None,
            unacknowledged_alerts=sum(a.acknowledged_at is None for a in s.alerts.values()),
            open_incidents=sum(i.status != "closed" for i in s.incidents.values())),
    )


def compliance(s: School, names: Mapping[str, str]) -> Compliance:
    current = sorted((p for p in s.people.values() if not p.left), key=lambda p: p.person_id)

    def line(p_id: str, kind: str, missing: list[str]) -> PersonLine:
        return PersonLine(person_id=p_id, name=names.get(p_id, ""), kind=kind, missing=missing)

    return Compliance(
        needing_signature=[line(p.person_id, p.kind, s.missing(p)) for p in current
                           if s.missing(p)],
        suspended=[line(p.person_id, p.kind, []) for p in current if p.access == "suspended"],
        by_access=tally(p.access for p in current))
