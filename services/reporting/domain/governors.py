"""The governors' termly report (Oakridge §1, §5; Glenfield "regular reports ... to the
Governing Body"): the incident log, monitoring and filtering, agreement compliance and the
trend against the previous term. Aggregates only: no names and no ids of pupils or staff."""

from __future__ import annotations

from datetime import datetime

from services.reporting.domain.duties import (
    filtering_in,
    policy_overdue,
    provision_overdue,
    training_overdue,
)
from services.reporting.domain.ledger import School
from services.reporting.domain.monthly import Frozen
from services.reporting.domain.periods import Period
from services.reporting.domain.stats import tally


class TermFigures(Frozen):
    incidents_reported: int
    incidents_by_category: dict[str, int]
    incidents_open: int
    incidents_referred: int
    captures_received: int
    captures_by_category: dict[str, int]
    captures_by_outcome: dict[str, int]
    alerts_raised: int
    urgent_alerts: int
    sla_breaches: int
    actions_taken: int
    people_needing_signature: int
    access_suspended: int
    log_reviewed: bool
    # Oakridge: governors monitor "filtering/control logs"; and the standards' duties.
    filtering_blocked: int = 0
    filtering_allowed: int = 0
    filtering_blocked_by_category: dict[str, int] = {}
    filtering_review_overdue: bool = False
    policy_review_overdue: bool = False
    training_overdue: int = 0


class Trend(Frozen):
    figure: str
    this_term: int
    previous_term: int
    change: int


class GovernorsReport(Frozen):
    school_id: str
    school_name: str
    term: str
    previous_term: str
    as_of: datetime
    this_term: TermFigures
    last_term: TermFigures
    trends: list[Trend]


TRENDED = ("incidents_reported", "incidents_referred", "captures_received", "alerts_raised",
           "urgent_alerts", "sla_breaches", "actions_taken", "people_needing_signature")


def figures(s: School, period: Period, at: datetime) -> TermFigures:
    """`s` folded as far as it is known; compliance stands at the end of the term (or `at`)."""
    reported = [i for i in s.incidents.values() if period.holds(i.reported_at)]
    received = [c for c in s.captures.values() if period.holds(c.received_at)]
    graded = [c for c in s.captures.values() if c.graded_at and period.holds(c.graded_at)]
    raised = [a for a in s.alerts.values() if period.holds(a.raised_at)]
    now = min(at, period.end)
    current = [p for p in s.people.values() if not p.left]
    filtering = filtering_in(s, period)
    return TermFigures(
        filtering_blocked=filtering.blocked, filtering_allowed=filtering.allowed,
        filtering_blocked_by_category=filtering.blocked_by_category,
        filtering_review_overdue=provision_overdue(s, now),
        policy_review_overdue=policy_overdue(s, now), training_overdue=training_overdue(s, now),
        incidents_reported=len(reported), incidents_by_category=tally(i.category
                                                                      for i in reported),
        incidents_open=sum(i.status != "closed" for i in reported),
        incidents_referred=sum(bool(i.referrals) for i in reported),
        captures_received=len(received),
        captures_by_category=tally(c.category for c in received),
        captures_by_outcome=tally(c.grade for c in graded),
        alerts_raised=len(raised), urgent_alerts=sum(a.urgent for a in raised),
        sla_breaches=sum(a.breached(now) for a in raised),
        actions_taken=sum(period.holds(a.at) for a in s.actions),
        people_needing_signature=sum(bool(s.missing(p)) for p in current),
        access_suspended=sum(p.access == "suspended" for p in current),
        log_reviewed=period.label in s.reviews)


def governors(this: School, last: School, term: Period, previous: Period,
              as_of: datetime) -> GovernorsReport:
    """`this` folded up to `as_of`; `last` folded up to the end of the previous term, so its
    compliance figures are those governors would have seen then."""
    now, before = figures(this, term, as_of), figures(last, previous, min(as_of, previous.end))
    trends = [Trend(figure=name, this_term=getattr(now, name), previous_term=getattr(before, name),
                    change=getattr(now, name) - getattr(before, name)) for name in TRENDED]
    return GovernorsReport(school_id=this.school_id, school_name=this.name or this.school_id,
                           term=term.label, previous_term=previous.label, as_of=as_of,
                           this_term=now, last_term=before, trends=trends)
