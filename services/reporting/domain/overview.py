"""The LA overview: every school's volumes, moderation backlog and its age, SLA breaches
(urgent alerts not acknowledged in the school's time), and schools whose termly review is
overdue or whose agreements are outstanding."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.reporting.domain.duties import (
    filtering_in,
    policy_overdue,
    provision_overdue,
    training_overdue,
)
from services.reporting.domain.ledger import School
from services.reporting.domain.monthly import Frozen
from services.reporting.domain.periods import Period, previous_term, term_of

WINDOW = timedelta(days=30)


class SchoolLine(Frozen):
    school_id: str
    school_name: str
    captures_last_30_days: int
    captures_total: int
    backlog: int
    oldest_backlog_hours: float | None
    sla_breaches: int
    review_due: str | None  # the last finished term, when its log review is not recorded
    people_needing_signature: int
    flagged: bool
    # The compliance service's: filtering logs, and what is overdue today.
    filtering_blocked_last_30_days: int = 0
    filtering_allowed_last_30_days: int = 0
    filtering_review_overdue: bool = False
    policy_review_overdue: bool = False
    training_overdue: int = 0
    reminders_last_30_days: int = 0
    compliance_overdue: bool = False


class Overview(Frozen):
    as_of: datetime
    schools: list[SchoolLine]
    backlog: int
    sla_breaches: int


def line(s: School, at: datetime) -> SchoolLine:
    waiting = [c for c in s.captures.values() if c.graded_at is None]
    last_term = previous_term(term_of(at))
    due = None if last_term in s.reviews else last_term
    outstanding = sum(bool(s.missing(p)) for p in s.people.values() if not p.left)
    breaches = sum(a.breached(at) for a in s.alerts.values())
    oldest = max((at - c.received_at for c in waiting), default=None)
    filtering = filtering_in(s, Period("last 30 days", at - WINDOW, at))
    provision, policy, training = (provision_overdue(s, at), policy_overdue(s, at),
                                   training_overdue(s, at))
    return SchoolLine(
        filtering_blocked_last_30_days=filtering.blocked,
        filtering_allowed_last_30_days=filtering.allowed,
        filtering_review_overdue=provision, policy_review_overdue=policy,
        training_overdue=training,
        reminders_last_30_days=sum(at - WINDOW < r.at <= at for r in s.reminders),
        compliance_overdue=provision or policy or bool(training),
        school_id=s.school_id, school_name=s.name or s.school_id,
        captures_last_30_days=sum(at - WINDOW < c.received_at for c in s.captures.values()),
        captures_total=len(s.captures), backlog=len(waiting),
        oldest_backlog_hours=round(oldest.total_seconds() / 3600, 1) if oldest else None,
        sla_breaches=breaches, review_due=due, people_needing_signature=outstanding,
        flagged=bool(breaches or due or outstanding))


def overview(schools: dict[str, School], at: datetime) -> Overview:
    lines = [line(s, at) for _, s in sorted(schools.items()) if s.onboarded]
    return Overview(as_of=at, schools=lines, backlog=sum(s.backlog for s in lines),
                    sla_breaches=sum(s.sla_breaches for s in lines))
