"""The state of each school as its facts tell it, up to a moment: the one fold every report
reads. Facts are applied in recorded order; durations are worked out here, from the facts
themselves, so a fact never depends on another service's events arriving first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from services.reporting.domain.facts import Fact, Kind, parse_filtering, parse_rules

OPEN_GRADES = frozenset({"violation", "urgent_child_protection"})


@dataclass
class Capture:
    capture_id: str
    received_at: datetime
    captured_at: datetime
    category: str | None = None
    severity: int | None = None
    phrases: tuple[str, ...] = ()
    grade: str | None = None
    graded_at: datetime | None = None  # first grading: the moderation turnaround ends here


@dataclass
class Alert:
    alert_id: str
    capture_id: str
    urgent: bool
    raised_at: datetime
    due_at: datetime | None
    acknowledged_at: datetime | None = None
    escalated: bool = False

    def breached(self, now: datetime) -> bool:
        """Urgent and not acknowledged by its deadline (as far as `now`)."""
        if not self.urgent or self.due_at is None or self.due_at > now:
            return False
        return self.acknowledged_at is None or self.acknowledged_at > self.due_at


@dataclass
class Incident:
    incident_id: str
    reported_at: datetime
    came_to_light: str
    capture_id: str | None
    category: str | None = None
    incident_type: str | None = None
    status: str = "reported"
    referrals: set[str] = field(default_factory=set)
    closed_at: datetime | None = None


@dataclass
class Person:
    person_id: str
    kind: str
    left: bool = False
    signed: set[str] = field(default_factory=set)
    access: str = "none"


@dataclass
class Action:
    person: str | None
    category: str
    outcome: str
    at: datetime


@dataclass
class Filtering:
    """A filtering product's summary: requests blocked and allowed over a period."""

    period_end: datetime
    blocked: int
    allowed: int
    by_category: dict[str, tuple[int, int]]


@dataclass
class Reminder:
    at: datetime
    subject: str
    overdue: bool


@dataclass
class School:
    school_id: str
    name: str = ""
    onboarded: bool = False  # a school (the LA's own staff have facts under the LA's id)
    rules: dict[str, set[str]] = field(default_factory=dict)
    reviews: set[str] = field(default_factory=set)
    captures: dict[str, Capture] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)
    filtering: dict[str, Filtering] = field(default_factory=dict)
    provision_due: datetime | None = None  # the annual filtering review; None: never done
    policy_due: datetime | None = None  # the e-safety policy's review; None: no policy
    training: dict[str, list[tuple[str, datetime]]] = field(default_factory=dict)
    reminders: list[Reminder] = field(default_factory=list)

    def missing(self, person: Person) -> list[str]:
        """The agreements a current person needs for access and has not signed."""
        if person.left:
            return []
        return sorted(self.rules.get(person.kind, set()) - person.signed)

    def person(self, person_id: str, kind: str = "unknown") -> Person:
        return self.people.setdefault(person_id, Person(person_id, kind))


def fold(facts: Iterable[Fact], as_of: datetime | None = None) -> dict[str, School]:
    schools: dict[str, School] = {}
    ordered = sorted((f for f in facts if as_of is None or f.recorded_at <= as_of),
                     key=lambda f: (f.recorded_at, f.version, f.fact_id))
    for f in ordered:
        school = schools.get(f.school_id) or schools.setdefault(f.school_id,
                                                                School(f.school_id))
        _apply(school, f)
    return schools


def _apply(s: School, f: Fact) -> None:
    match f.kind:
        case Kind.SCHOOL:
            s.name, s.onboarded = f.detail or s.name, True
        case Kind.PERSON:
            s.person(f.subject).kind = f.detail or "unknown"
        case Kind.PERSON_LEFT:
            s.person(f.subject).left = True
        case Kind.CAPTURE_RECEIVED:
            s.captures[f.subject] = Capture(f.subject, f.recorded_at, f.occurred_at)
        case Kind.CAPTURE_TRIAGED:
            if c := s.captures.get(f.subject):
                c.category, c.severity = f.category, f.severity
                c.phrases = tuple(p for p in (f.detail or "").split("\n") if p)
        case Kind.CAPTURE_GRADED:
            if c := s.captures.get(f.subject):
                c.grade = f.outcome
                c.graded_at = c.graded_at or f.recorded_at
        case Kind.ALERT_RAISED:
            s.alerts[f.subject] = Alert(f.subject, f.detail or "", f.outcome == "urgent",
                                        f.recorded_at, f.due_at)
        case Kind.ALERT_ACKNOWLEDGED:
            if a := s.alerts.get(f.subject):
                a.acknowledged_at = a.acknowledged_at or f.occurred_at
        case Kind.ALERT_ESCALATED:
            if a := s.alerts.get(f.subject):
                a.escalated = True
        case Kind.INCIDENT_REPORTED:
            s.incidents[f.subject] = Incident(f.subject, f.recorded_at, f.outcome or "",
                                              f.detail)
        case Kind.INCIDENT_CLASSIFIED:
            if i := s.incidents.get(f.subject):
                i.category, i.incident_type = f.category, f.detail
        case Kind.INCIDENT_STATUS:
            if i := s.incidents.get(f.subject):
                i.status = f.outcome or i.status
                if i.status == "closed":
                    i.closed_at = f.recorded_at
        case Kind.INCIDENT_REFERRED:
            if i := s.incidents.get(f.subject):
                i.referrals.add(f.outcome or "")
        case Kind.REVIEW_RECORDED:
            s.reviews.add(f.detail or "")
        case Kind.ACCESS_RULES:
            s.rules = parse_rules(f.detail)
        case Kind.AGREEMENT_SIGNED:
            s.person(f.subject).signed.add(f.category or "")
        case Kind.CONSENT_WITHDRAWN:
            s.person(f.subject).signed.discard(f.category or "")
        case Kind.ACCESS:
            s.person(f.subject).access = f.outcome or "none"
        case Kind.ACTION_TAKEN:
            s.actions.append(Action(f.person, f.category or "", f.outcome or "", f.recorded_at))
        case Kind.FILTERING_SUMMARY:
            blocked, allowed, by = parse_filtering(f.detail)
            s.filtering[f.subject] = Filtering(f.occurred_at, blocked, allowed, by)
        case Kind.PROVISION_REVIEWED:
            s.provision_due = max(filter(None, (s.provision_due, f.due_at)), default=None)
        case Kind.POLICY_PUBLISHED:
            s.policy_due = f.due_at
        case Kind.TRAINING_RECORDED:
            s.training.setdefault(f.person or "", []).append((f.category or "", f.occurred_at))
        case Kind.REMINDER_SENT:
            s.reminders.append(Reminder(f.recorded_at, f.category or "", f.outcome == "overdue"))
