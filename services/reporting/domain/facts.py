"""A report fact: one compact row per event that matters to a report.

Reports are folds over facts, never over another service's tables. Each fact keeps the time
its event was recorded (`recorded_at`), so a report "as of" a date is the same fold over the
facts recorded by then, and a rebuild (same events, same ids) yields the same facts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    SCHOOL = "school"  # detail: the school's name
    PERSON = "person"  # person: who; detail: their kind (pupil, staff ...)
    PERSON_LEFT = "person_left"
    CAPTURE_RECEIVED = "capture_received"  # subject: capture; occurred_at: captured
    CAPTURE_TRIAGED = "capture_triaged"  # category, severity; detail: matched phrases
    CAPTURE_GRADED = "capture_graded"  # outcome: the grade (the fold times received -> graded)
    ALERT_RAISED = "alert_raised"  # outcome: urgent|normal; detail: capture; due_at
    ALERT_ACKNOWLEDGED = "alert_acknowledged"  # occurred_at: when acknowledged
    ALERT_ESCALATED = "alert_escalated"
    INCIDENT_REPORTED = "incident_reported"  # outcome: how it came to light
    INCIDENT_CLASSIFIED = "incident_classified"  # category (4 Cs); detail: incident type
    INCIDENT_STATUS = "incident_status"  # outcome: the new status
    INCIDENT_REFERRED = "incident_referred"  # outcome: the agency
    REVIEW_RECORDED = "review_recorded"  # detail: the term
    ACCESS_RULES = "access_rules"  # detail: "kind:aud,aud;kind:aud"
    AGREEMENT_SIGNED = "agreement_signed"  # person; category: the audience
    CONSENT_WITHDRAWN = "consent_withdrawn"  # person; category: the audience
    ACCESS = "access"  # person; outcome: granted|suspended|revoked
    # Sanctions and actions taken: the `sanction` service's events map here (one projection
    # handler to add when its events exist); the reports already count them.
    ACTION_TAKEN = "action_taken"  # person; category: the action; outcome: sanction|action
    # The compliance service's: filtering logs, reviews, the policy, training, reminders.
    FILTERING_SUMMARY = "filtering_summary"  # occurred_at: period end; detail: filtering_text
    PROVISION_REVIEWED = "provision_reviewed"  # due_at: the next review
    POLICY_PUBLISHED = "policy_published"  # due_at: its review date; detail: the title
    TRAINING_RECORDED = "training_recorded"  # person; category: the kind; occurred_at: done
    REMINDER_SENT = "reminder_sent"  # category: what about; outcome: due|overdue


@dataclass(frozen=True, slots=True, kw_only=True)
class Fact:
    """A plain dataclass, not a pydantic model: reports build thousands per request."""

    fact_id: str  # the event's id: a redelivery or a rebuild writes the same fact
    school_id: str
    kind: Kind
    subject: str  # the capture, alert, incident, person or term it is about
    occurred_at: datetime  # when it happened in the world
    recorded_at: datetime  # when the platform recorded it: "as of" filters on this
    version: int = 1  # its aggregate's version: orders the events of one transaction
    category: str | None = None
    severity: int | None = None
    outcome: str | None = None
    person: str | None = None  # a person id, never a name
    detail: str | None = None
    due_at: datetime | None = None

    def row(self) -> dict[str, object]:
        # Not `asdict`: it deep-copies every value (a third of a rebuild's time).
        return {name: getattr(self, name) for name in _FIELDS}

    def but(self, **changes: object) -> Fact:
        return replace(self, **changes)  # type: ignore[arg-type]


_FIELDS = tuple(f.name for f in fields(Fact))


def rules_text(rules: dict[str, list[str]]) -> str:
    return ";".join(f"{kind}:{','.join(sorted(auds))}" for kind, auds in sorted(rules.items()))


def parse_rules(text: str | None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for part in (text or "").split(";"):
        if ":" in part:
            kind, auds = part.split(":", 1)
            out[kind] = {a for a in auds.split(",") if a}
    return out


def filtering_text(counts: list[tuple[str, int, int]]) -> str:
    """A summary's counts as one fact's detail: {"blocked", "allowed", "by": {category:
    [blocked, allowed]}}, the smallest categories left out of "by" to fit the column."""
    blocked, allowed = sum(c[1] for c in counts), sum(c[2] for c in counts)
    by = sorted(counts, key=lambda c: (-c[1], -c[2], c[0]))
    while True:
        text = json.dumps({"blocked": blocked, "allowed": allowed,
                           "by": {c[0]: [c[1], c[2]] for c in by}})
        if len(text) <= 2000:
            return text
        by = by[:-1]


def parse_filtering(text: str | None) -> tuple[int, int, dict[str, tuple[int, int]]]:
    data = json.loads(text or "{}")
    return (int(data.get("blocked", 0)), int(data.get("allowed", 0)),
            {k: (int(v[0]), int(v[1])) for k, v in data.get("by", {}).items()})
