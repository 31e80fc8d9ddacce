"""The sanction service's public contract: queries and the views it answers with.

Commands are in `domain/commands.py` and are part of the contract too; its events (among them
`InternetAccessRemovalOrdered`, which the agreement service acts on) in `domain/events.py`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.directory.domain.commands import Slug
from services.sanction.domain.events import Column, Effect, Escalation, MatrixAudience, Row

SERVICE = "sanction"


class Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class GetMatrix(Query):
    school_id: str = Slug
    audience: MatrixAudience
    version: int | None = Field(default=None, ge=1, description="the current one when absent")


class IncidentTypes(Query):
    school_id: str = Slug
    audience: MatrixAudience | None = None


class Recommendations(Query):
    school_id: str = Slug
    incident_id: str = Field(min_length=1, max_length=80)


class PersonSanctions(Query):
    school_id: str = Slug
    person_id: str = Field(min_length=1, max_length=64)


class OpenTasks(Query):
    school_id: str = Slug


class IctReferrals(Query):
    school_id: str = Slug


class MatrixView(BaseModel):
    school_id: str
    audience: MatrixAudience
    version: int
    window_days: int
    actions: list[Column]
    rows: list[Row]
    escalation: Escalation | None
    by: str
    by_name: str
    published_at: datetime
    versions: list[int] = Field(description="every published version, oldest first")


class IncidentType(BaseModel):
    audience: MatrixAudience
    key: str
    label: str
    matrix_version: int


class ActionView(BaseModel):
    action: str
    label: str
    effect: Effect
    sanction: bool
    escalation: bool = Field(description="added because of continued infringements")
    status: str = Field(description="recommended, added, taken or skipped")
    reason: str
    notes: str
    by: str | None
    by_name: str | None
    at: datetime | None


class RecommendationView(BaseModel):
    incident_id: str
    person_id: str
    person_name: str
    audience: MatrixAudience
    incident_type: str
    row_label: str
    matrix_version: int
    escalated: bool
    earlier: list[str] = Field(description="earlier incidents with warnings or sanctions")
    recommended_at: datetime
    actions: list[ActionView]


class TaskView(BaseModel):
    task_id: str
    incident_id: str
    person_id: str
    person_name: str
    task: str = "Inform parents / carers"
    opened_at: datetime
    done: bool
    done_at: datetime | None
    done_by: str | None
    notes: str


class ReferralView(BaseModel):
    incident_id: str
    audience: MatrixAudience
    person_id: str | None = Field(description="only for pupils (staff: the head sees it)")
    notes: str
    by: str
    at: datetime
