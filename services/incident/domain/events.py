"""Incident events (facts, past tense). Type names are stable: they are stored forever."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.events import Event
from shared.registry import registry


class RiskCategory(StrEnum):
    """Glenfield's "4 key categories of risk"."""

    CONTENT = "content"
    CONTACT = "contact"
    CONDUCT = "conduct"
    COMMERCE = "commerce"


class Source(StrEnum):
    """How the incident came to light."""

    CAPTURE = "capture"
    STAFF = "staff"
    PUPIL = "pupil"
    PARENT = "parent"
    COMPLAINT = "complaint"


class InvolvedKind(StrEnum):
    PUPIL = "pupil"
    STAFF = "staff"
    VISITOR = "visitor"
    EXTERNAL = "external"


class Status(StrEnum):
    REPORTED = "reported"
    UNDER_REVIEW = "under_review"
    ACTION_TAKEN = "action_taken"
    REFERRED = "referred"
    CLOSED = "closed"


class Agency(StrEnum):
    POLICE = "police"
    LA = "la"
    CHILDRENS_SERVICES = "childrens_services"
    LADO = "lado"  # allegations against staff


class EntryKind(StrEnum):
    NOTE = "note"
    DECISION = "decision"
    ACTION = "action"


class Involved(BaseModel):
    """Someone involved: a directory person id where known, a name (free text) otherwise."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: InvolvedKind
    person_id: str | None = None
    name: str = ""


@registry.register
class IncidentReported(Event):
    type_name = "IncidentReported"
    incident_id: str
    school_id: str
    occurred_at: datetime
    url: str | None = None
    description: str
    came_to_light: Source
    involved: list[Involved] = []
    reporter: str
    reporter_name: str = ""
    capture_id: str | None = None


@registry.register
class IncidentClassified(Event):
    type_name = "IncidentClassified"
    incident_id: str
    category: RiskCategory | None
    incident_type: str | None
    cyber_bullying: bool
    child_protection: bool
    by: str


@registry.register
class InvolvedAdded(Event):
    type_name = "InvolvedAdded"
    incident_id: str
    involved: list[Involved]
    by: str


@registry.register
class IncidentAssigned(Event):
    type_name = "IncidentAssigned"
    incident_id: str
    assignee: str
    by: str


@registry.register
class IncidentNoteAdded(Event):
    type_name = "IncidentNoteAdded"
    incident_id: str
    kind: EntryKind
    text: str
    by: str


@registry.register
class IncidentStatusChanged(Event):
    type_name = "IncidentStatusChanged"
    incident_id: str
    status: Status
    previous: Status
    reason: str
    by: str


@registry.register
class IncidentReferred(Event):
    type_name = "IncidentReferred"
    incident_id: str
    agency: Agency
    reference: str
    notes: str
    by: str


@registry.register
class IncidentClosed(Event):
    type_name = "IncidentClosed"
    incident_id: str
    outcome: str
    by: str


@registry.register
class TermlyReviewRecorded(Event):
    """Oakridge §5: the log is reviewed termly (the e-safety co-ordinator, DSL or head)."""

    type_name = "TermlyReviewRecorded"
    school_id: str
    term: str
    reviewer: str
    reviewer_name: str = ""
    findings: str
