"""The incident service's public contract: queries and the views it answers with.

Commands are in `domain/commands.py` and are part of the contract too.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.directory.domain.commands import Slug
from services.incident.domain.commands import TERM_PATTERN
from services.incident.domain.events import Agency, InvolvedKind, RiskCategory, Source, Status

SERVICE = "incident"


class Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class IncidentLog(Query):
    school_id: str = Slug
    term: str | None = Field(default=None, pattern=TERM_PATTERN,
                             description="e.g. 2026-autumn (Sep-Dec), spring (Jan-Mar), "
                                         "summer (Apr-Aug)")
    occurred_from: datetime | None = None
    occurred_to: datetime | None = Field(default=None, description="exclusive")
    category: RiskCategory | None = None
    incident_type: str | None = Field(default=None, max_length=120)
    status: Status | None = None
    person_id: str | None = Field(default=None, max_length=64)
    cyber_bullying: bool | None = None
    child_protection: bool | None = None
    about_staff: bool | None = None
    came_to_light: Source | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=200)


class GetIncident(Query):
    school_id: str = Slug
    incident_id: str = Field(min_length=1, max_length=80)


class PersonHistory(Query):
    school_id: str = Slug
    person_id: str = Field(min_length=1, max_length=64)


class ListTermlyReviews(Query):
    school_id: str = Slug


class InvolvedView(BaseModel):
    kind: InvolvedKind
    person_id: str | None
    name: str


class ChronologyEntry(BaseModel):
    seq: int
    at: datetime
    by: str
    by_name: str = Field(default="", description="the directory's name for `by`")
    entry: str = Field(description="reported, classified, involved, assigned, note, "
                                   "decision, action, status, referred, closed, purged")
    detail: str


class IncidentView(BaseModel):
    incident_id: str
    school_id: str
    occurred_at: datetime
    reported_at: datetime
    url: str | None
    description: str
    came_to_light: Source
    reporter: str
    reporter_name: str
    capture_id: str | None
    category: RiskCategory | None
    incident_type: str | None
    cyber_bullying: bool
    child_protection: bool
    about_staff: bool
    status: Status
    assignee: str | None
    assignee_name: str = ""
    referrals: list[Agency]
    outcome: str | None
    text_removed_on: date | None = Field(
        default=None, description="retention removed the description and notes on this day")
    transferred_to: str | None = Field(
        default=None, description="the pupil's record was transferred to this school: the "
                                  "description and notes are for the DSL, deputy and head")
    involved: list[InvolvedView] = []
    chronology: list[ChronologyEntry] = Field(
        default=[], description="only on a single incident; the reporter who may not see the "
                                "whole case sees their own entries")


class IncidentPage(BaseModel):
    items: list[IncidentView]
    total: int
    offset: int
    limit: int


class ReviewView(BaseModel):
    school_id: str
    term: str
    reviewer: str
    reviewer_name: str
    findings: str
    recorded_at: datetime


class RecordTransfers(Query):
    """A school's record transfers: those it sent and those sent to it."""

    school_id: str = Slug
    person_id: str | None = Field(default=None, max_length=64,
                                  description="the leaver here, or the joiner here")


class TransferredIncident(BaseModel):
    incident_id: str = Field(description="the sending school's incident")
    summary: str = Field(description="as sent: other pupils' names redacted")


class RecordTransferView(BaseModel):
    transfer_id: str
    school_id: str = Field(description="the sending school")
    to_school_id: str
    person_id: str = Field(description="the pupil's id at the sending school")
    pupil_name: str
    note: str
    sent_at: datetime
    sent_by: str
    sent_by_name: str
    due_on: date = Field(description="5 school days after sending (DfE)")
    overdue: bool = Field(description="not confirmed and past its due date")
    joiner_id: str | None = Field(description="the pupil's id at the receiving school, once "
                                              "receipt is confirmed")
    received_at: datetime | None
    received_by: str | None
    received_by_name: str | None
    incidents: list[TransferredIncident]
    text_removed_on: date | None = Field(
        default=None, description="retention removed the summaries and the note on this day")


class TransferRef(BaseModel):
    transfer_id: str
    due_on: date | None = None
    incidents: int = Field(default=0, description="how many incidents were sent")
