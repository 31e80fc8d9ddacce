"""Incident commands: each names its school; who acts comes from the verified claims."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.directory.domain.commands import Slug
from services.incident.domain.events import (
    Agency,
    EntryKind,
    Involved,
    RiskCategory,
    Source,
    Status,
)

IncidentId = Field(min_length=1, max_length=80)
TERM_PATTERN = r"^\d{4}-(autumn|spring|summer)$"


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    school_id: str = Slug


class ReportIncident(Command):
    occurred_at: datetime
    url: str | None = Field(default=None, max_length=2000)
    description: str = Field(min_length=1, max_length=10000)
    came_to_light: Source
    involved: list[Involved] = Field(default=[], max_length=100)


class ClassifyIncident(Command):
    incident_id: str = IncidentId
    category: RiskCategory | None = None
    incident_type: str | None = Field(default=None, min_length=1, max_length=120)
    cyber_bullying: bool = False
    child_protection: bool = False


class AddInvolved(Command):
    """Name more people involved (e.g. the pupil behind a monitoring capture's username)."""

    incident_id: str = IncidentId
    involved: list[Involved] = Field(min_length=1, max_length=100)


class AssignIncident(Command):
    incident_id: str = IncidentId
    assignee: str = Field(min_length=1, max_length=64)


class AddIncidentNote(Command):
    incident_id: str = IncidentId
    kind: EntryKind = EntryKind.NOTE
    text: str = Field(min_length=1, max_length=10000)


class ChangeIncidentStatus(Command):
    incident_id: str = IncidentId
    status: Status
    reason: str = Field(default="", max_length=2000)


class ReferIncident(Command):
    incident_id: str = IncidentId
    agency: Agency
    reference: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=5000)


class CloseIncident(Command):
    incident_id: str = IncidentId
    outcome: str = Field(min_length=1, max_length=5000)


class RecordTermlyReview(Command):
    term: str = Field(pattern=TERM_PATTERN, description="e.g. 2026-autumn")
    findings: str = Field(min_length=1, max_length=20000)


class StartRecordTransfer(Command):
    """The sending school (`school_id`) sends a leaver's record to `to_school_id`."""

    person_id: str = Field(min_length=1, max_length=64, description="the leaver, at this school")
    to_school_id: str = Slug
    note: str = Field(default="", max_length=5000)


class ConfirmRecordTransfer(Command):
    """The receiving school (`school_id`) confirms receipt, naming the joiner's id there."""

    transfer_id: str = Field(min_length=1, max_length=140)
    person_id: str = Field(min_length=1, max_length=64, description="the joiner, at this school")
