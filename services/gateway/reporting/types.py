"""GraphQL types of the reports, built from the reporting service's views (the pydantic
report models). Counts by key are lists of `Count`, in key order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from services.reporting.contracts import IssuedReport as IssuedView
from services.reporting.contracts import ReportJob as JobView
from services.reporting.domain import governors as g
from services.reporting.domain import monthly as m
from services.reporting.domain import overview as o
from services.reporting.domain import risks as r
from services.reporting.domain import stats


@strawberry.type
class Count:
    key: str
    count: int


def counts(values: dict[str, int]) -> list[Count]:
    return [Count(key=k, count=v) for k, v in values.items()]


@strawberry.type(description="Durations in minutes.")
class Turnaround:
    count: int
    median_minutes: float | None
    max_minutes: float | None

    @classmethod
    def of(cls, t: stats.Turnaround) -> Turnaround:
        return cls(count=t.count, median_minutes=t.median_minutes, max_minutes=t.max_minutes)


@strawberry.type
class CaptureFigures:
    received: int
    moderated: int
    by_category: list[Count]
    by_severity: list[Count]
    by_outcome: list[Count]
    per_day: list[Count] = strawberry.field(description="captures received per day")


@strawberry.type
class ModerationTurnaround:
    received_to_graded: Turnaround
    raised_to_acknowledged: Turnaround
    received_to_acknowledged: Turnaround


@strawberry.type
class AlertFigures:
    raised: int
    urgent: int
    acknowledged: int
    escalated: int
    sla_breaches: int


@strawberry.type
class Violation:
    capture_id: str
    grade: str
    incident_id: str | None


@strawberry.type
class IncidentFigures:
    reported: int
    by_category: list[Count]
    by_type: list[Count]
    by_source: list[Count]
    referred: int
    closed: int


@strawberry.type(description="Sanctions and actions taken (from the sanction service).")
class ActionFigures:
    total: int
    by_action: list[Count]


@strawberry.type
class PersonLine:
    person_id: str
    name: str
    kind: str
    missing: list[str]


@strawberry.type
class Compliance:
    needing_signature: list[PersonLine]
    suspended: list[PersonLine]
    by_access: list[Count]


@strawberry.type
class OpenItems:
    awaiting_moderation: int
    oldest_awaiting_hours: float | None
    unacknowledged_alerts: int
    open_incidents: int


def _people(lines: list[m.PersonLine]) -> list[PersonLine]:
    return [PersonLine(person_id=p.person_id, name=p.name, kind=p.kind, missing=p.missing)
            for p in lines]


@strawberry.type(description="The headteacher's monthly report.")
class MonthlyReport:
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

    @classmethod
    def of(cls, data: Any) -> MonthlyReport:
        v = m.MonthlyReport.model_validate(data)
        c, t, i = v.captures, v.turnaround, v.incidents
        return cls(
            school_id=v.school_id, school_name=v.school_name, month=v.month, as_of=v.as_of,
            captures=CaptureFigures(received=c.received, moderated=c.moderated,
                                    by_category=counts(c.by_category),
                                    by_severity=counts(c.by_severity),
                                    by_outcome=counts(c.by_outcome), per_day=counts(c.per_day)),
            turnaround=ModerationTurnaround(
                received_to_graded=Turnaround.of(t.received_to_graded),
                raised_to_acknowledged=Turnaround.of(t.raised_to_acknowledged),
                received_to_acknowledged=Turnaround.of(t.received_to_acknowledged)),
            alerts=AlertFigures(**v.alerts.model_dump()),
            violations=[Violation(**x.model_dump()) for x in v.violations],
            incidents=IncidentFigures(reported=i.reported, by_category=counts(i.by_category),
                                      by_type=counts(i.by_type), by_source=counts(i.by_source),
                                      referred=i.referred, closed=i.closed),
            actions=ActionFigures(total=v.actions.total, by_action=counts(v.actions.by_action)),
            compliance=Compliance(needing_signature=_people(v.compliance.needing_signature),
                                  suspended=_people(v.compliance.suspended),
                                  by_access=counts(v.compliance.by_access)),
            open_items=OpenItems(**v.open_items.model_dump()))


@strawberry.type
class TermFigures:
    incidents_reported: int
    incidents_by_category: list[Count]
    incidents_open: int
    incidents_referred: int
    captures_received: int
    captures_by_category: list[Count]
    captures_by_outcome: list[Count]
    alerts_raised: int
    urgent_alerts: int
    sla_breaches: int
    actions_taken: int
    people_needing_signature: int
    access_suspended: int
    log_reviewed: bool
    filtering_blocked: int = strawberry.field(description="requests the filtering product "
                                              "blocked, from its summaries")
    filtering_allowed: int
    filtering_blocked_by_category: list[Count]
    filtering_review_overdue: bool
    policy_review_overdue: bool
    training_overdue: int = strawberry.field(description="staff with training overdue")

    @classmethod
    def of(cls, f: g.TermFigures) -> TermFigures:
        plain = f.model_dump()
        for key in ("incidents_by_category", "captures_by_category", "captures_by_outcome",
                    "filtering_blocked_by_category"):
            plain[key] = counts(plain[key])
        return cls(**plain)


@strawberry.type
class Trend:
    figure: str
    this_term: int
    previous_term: int
    change: int


@strawberry.type(description="The governors' termly report: aggregates only, no names.")
class GovernorsReport:
    school_id: str
    school_name: str
    term: str
    previous_term: str
    as_of: datetime
    this_term: TermFigures
    last_term: TermFigures
    trends: list[Trend]

    @classmethod
    def of(cls, data: Any) -> GovernorsReport:
        v = g.GovernorsReport.model_validate(data)
        return cls(school_id=v.school_id, school_name=v.school_name, term=v.term,
                   previous_term=v.previous_term, as_of=v.as_of,
                   this_term=TermFigures.of(v.this_term), last_term=TermFigures.of(v.last_term),
                   trends=[Trend(**t.model_dump()) for t in v.trends])


@strawberry.type
class SchoolLine:
    school_id: str
    school_name: str
    captures_last_30_days: int
    captures_total: int
    backlog: int
    oldest_backlog_hours: float | None
    sla_breaches: int
    review_due: str | None
    people_needing_signature: int
    flagged: bool
    filtering_blocked_last_30_days: int
    filtering_allowed_last_30_days: int
    filtering_review_overdue: bool
    policy_review_overdue: bool
    training_overdue: int
    reminders_last_30_days: int
    compliance_overdue: bool = strawberry.field(description="the filtering review, the policy "
                                                "review or staff training is overdue")


@strawberry.type(description="Every school at a glance, for the LA.")
class LaOverview:
    as_of: datetime
    schools: list[SchoolLine]
    backlog: int
    sla_breaches: int

    @classmethod
    def of(cls, data: Any) -> LaOverview:
        v = o.Overview.model_validate(data)
        return cls(as_of=v.as_of, schools=[SchoolLine(**s.model_dump()) for s in v.schools],
                   backlog=v.backlog, sla_breaches=v.sla_breaches)


@strawberry.type
class Evidence:
    school_id: str
    this_week: int
    trailing_mean: float


@strawberry.type(description="A category or phrase rising sharply in several schools at once.")
class EmergingRisk:
    kind: str
    value: str
    schools: int
    this_week: int
    evidence: list[Evidence]

    @classmethod
    def of(cls, data: Any) -> EmergingRisk:
        v = r.EmergingRisk.model_validate(data)
        return cls(kind=v.kind, value=v.value, schools=v.schools, this_week=v.this_week,
                   evidence=[Evidence(**e.model_dump()) for e in v.evidence])


@strawberry.type
class IssuedReport:
    report_id: str
    school_id: str
    month: str
    as_of: datetime
    issued_at: datetime
    issued_by: str
    summary: list[Count]
    csv_url: str = strawberry.field(description="GET with the same Authorization header")
    pdf_url: str = strawberry.field(description="GET with the same Authorization header")

    @classmethod
    def of(cls, data: Any) -> IssuedReport:
        v = IssuedView.model_validate(data)
        return cls(report_id=v.report_id, school_id=v.school_id, month=v.month, as_of=v.as_of,
                   issued_at=v.issued_at, issued_by=v.issued_by, summary=counts(v.summary),
                   csv_url=f"/reports/{v.report_id}.csv", pdf_url=f"/reports/{v.report_id}.pdf")


@strawberry.type(description="An on-demand report generation and how far it has got.")
class ReportJob:
    job_id: str
    school_id: str
    month: str
    status: str = strawberry.field(description="queued, running, done or failed")
    progress: int = strawberry.field(description="percent")
    step: str
    report_id: str | None
    error: str | None

    @classmethod
    def of(cls, data: Any) -> ReportJob:
        return cls(**JobView.model_validate(data).model_dump())
