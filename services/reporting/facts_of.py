"""Which fact each event of the other services makes: a pure function of the one event, so
facts never depend on the order in which different services' streams are consumed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

from services.agreement.domain.events import (
    AccessGranted,
    AccessRevoked,
    AccessRulesSet,
    AccessSuspended,
    AgreementSigned,
    ConsentWithdrawn,
)
from services.capture.domain.events import (
    AlertAcknowledged,
    AlertEscalated,
    AlertRaised,
    CaptureModerated,
    CaptureReceived,
    CaptureRegraded,
    CaptureTriaged,
)
from services.compliance.domain.events import (
    FilteringSummaryReceived,
    PolicyVersionPublished,
    ProvisionReviewed,
    ReminderSent,
    TrainingRecorded,
)
from services.directory.domain.events import PersonEnrolled, PersonLeft, SchoolOnboarded
from services.incident.domain.events import (
    IncidentClassified,
    IncidentClosed,
    IncidentReferred,
    IncidentReported,
    IncidentStatusChanged,
    TermlyReviewRecorded,
)
from services.reporting.domain.facts import Fact, Kind, filtering_text, rules_text
from services.sanction.domain.events import ActionTaken
from shared.events import Envelope, Event

Maker = Callable[[Any], dict[str, Any]]

# Event type -> (fact kind, the fact's fields from the event). A sanction's effects elsewhere
# (agreement's access revoked) are counted as access, never as a second action.
MAKERS: dict[type[Event], tuple[Kind, Maker]] = {
    SchoolOnboarded: (Kind.SCHOOL, lambda e: {"subject": e.school_id, "detail": e.name}),
    PersonEnrolled: (Kind.PERSON, lambda e: {"subject": e.person_id, "person": e.person_id,
                                             "detail": e.kind.value}),
    PersonLeft: (Kind.PERSON_LEFT, lambda e: {"subject": e.person_id, "person": e.person_id}),
    CaptureReceived: (Kind.CAPTURE_RECEIVED, lambda e: {"subject": e.capture_id,
                                                        "occurred_at": e.captured_at}),
    CaptureTriaged: (Kind.CAPTURE_TRIAGED, lambda e: {
        "subject": e.capture_id, "category": e.category.value, "severity": e.severity,
        "detail": "\n".join(sorted({m.phrase for m in e.matches}))[:2000] or None}),
    CaptureModerated: (Kind.CAPTURE_GRADED, lambda e: {"subject": e.capture_id,
                                                       "outcome": e.grade.value}),
    CaptureRegraded: (Kind.CAPTURE_GRADED, lambda e: {"subject": e.capture_id,
                                                      "outcome": e.grade.value}),
    AlertRaised: (Kind.ALERT_RAISED, lambda e: {
        "subject": e.alert_id, "category": e.category.value, "severity": e.severity,
        "outcome": "urgent" if e.urgent else "normal", "detail": e.capture_id,
        "due_at": e.acknowledge_by}),
    AlertAcknowledged: (Kind.ALERT_ACKNOWLEDGED, lambda e: {"subject": e.alert_id,
                                                            "occurred_at": e.at}),
    AlertEscalated: (Kind.ALERT_ESCALATED, lambda e: {"subject": e.alert_id,
                                                      "occurred_at": e.at}),
    IncidentReported: (Kind.INCIDENT_REPORTED, lambda e: {
        "subject": e.incident_id, "occurred_at": e.occurred_at,
        "outcome": e.came_to_light.value, "detail": e.capture_id}),
    IncidentClassified: (Kind.INCIDENT_CLASSIFIED, lambda e: {
        "subject": e.incident_id, "category": e.category.value if e.category else None,
        "detail": e.incident_type}),
    IncidentStatusChanged: (Kind.INCIDENT_STATUS, lambda e: {"subject": e.incident_id,
                                                             "outcome": e.status.value}),
    IncidentClosed: (Kind.INCIDENT_STATUS, lambda e: {"subject": e.incident_id,
                                                      "outcome": "closed"}),
    IncidentReferred: (Kind.INCIDENT_REFERRED, lambda e: {"subject": e.incident_id,
                                                          "outcome": e.agency.value}),
    TermlyReviewRecorded: (Kind.REVIEW_RECORDED, lambda e: {"subject": e.term,
                                                            "detail": e.term}),
    AccessRulesSet: (Kind.ACCESS_RULES, lambda e: {
        "subject": e.school_id,
        "detail": rules_text({k: [a.value for a in v] for k, v in e.rules.items()})}),
    AgreementSigned: (Kind.AGREEMENT_SIGNED, lambda e: {
        "subject": e.person_id, "person": e.person_id, "category": e.audience.value}),
    ConsentWithdrawn: (Kind.CONSENT_WITHDRAWN, lambda e: {
        "subject": e.person_id, "person": e.person_id, "category": e.audience.value}),
    AccessGranted: (Kind.ACCESS, lambda e: {"subject": e.person_id, "person": e.person_id,
                                            "outcome": "granted"}),
    AccessSuspended: (Kind.ACCESS, lambda e: {"subject": e.person_id, "person": e.person_id,
                                              "outcome": "suspended"}),
    AccessRevoked: (Kind.ACCESS, lambda e: {"subject": e.person_id, "person": e.person_id,
                                            "outcome": "revoked"}),
    ActionTaken: (Kind.ACTION_TAKEN, lambda e: {
        "subject": e.incident_id, "person": e.person_id, "category": e.action,
        "outcome": "sanction" if e.sanction else "action", "occurred_at": e.taken_at}),
    FilteringSummaryReceived: (Kind.FILTERING_SUMMARY, lambda e: {
        "subject": e.summary_id, "occurred_at": e.period_end, "category": e.product,
        "detail": filtering_text([(c.category, c.blocked, c.allowed) for c in e.categories])}),
    ProvisionReviewed: (Kind.PROVISION_REVIEWED, lambda e: {
        "subject": e.school_id, "occurred_at": _day(e.reviewed_on), "due_at": _day(e.next_due)}),
    PolicyVersionPublished: (Kind.POLICY_PUBLISHED, lambda e: {
        "subject": str(e.version), "detail": e.title, "due_at": _day(e.next_review)}),
    TrainingRecorded: (Kind.TRAINING_RECORDED, lambda e: {
        "subject": e.record_id, "person": e.person_id, "category": e.kind.value,
        "occurred_at": _day(e.completed_on)}),
    ReminderSent: (Kind.REMINDER_SENT, lambda e: {
        "subject": e.reminder_id, "category": e.subject.value,
        "outcome": "overdue" if e.overdue else "due",
        "due_at": _day(e.due_on) if e.due_on else None}),
}
_BY_NAME = {t.type_name: made for t, made in MAKERS.items()}
HANDLED = frozenset(_BY_NAME)


def _day(day: date) -> datetime:
    """A date as the fact's time: midnight UTC (facts keep times)."""
    return datetime.combine(day, time(), UTC)


def fact_of(env: Envelope, event: Event) -> Fact | None:
    found = _BY_NAME.get(env.type)
    if found is None:
        return None
    kind, make = found
    fields: dict[str, Any] = {"occurred_at": env.occurred_at, **make(event)}
    at: datetime = fields.pop("occurred_at")
    return Fact(fact_id=str(env.event_id), school_id=env.school_id, kind=kind,
                occurred_at=at, recorded_at=env.occurred_at, version=env.aggregate_version,
                **fields)
