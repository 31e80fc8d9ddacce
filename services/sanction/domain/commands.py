"""Sanction commands: each names its school; who acts comes from the verified claims."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.directory.domain.commands import Slug
from services.sanction.domain.events import Column, Escalation, MatrixAudience, Row

IncidentId = Field(min_length=1, max_length=80)
PersonId = Field(min_length=1, max_length=64)
ActionKey = Field(min_length=1, max_length=40)


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    school_id: str = Slug


class PublishMatrix(Command):
    audience: MatrixAudience
    actions: list[Column] = Field(min_length=1, max_length=40)
    rows: list[Row] = Field(min_length=1, max_length=200)
    escalation: Escalation | None = None
    window_days: int = Field(default=365, ge=1, le=1095, description=(
        "how far back earlier warnings or sanctions count as continued infringements"))


class TakeAction(Command):
    incident_id: str = IncidentId
    person_id: str = PersonId
    action: str = ActionKey
    notes: str = Field(default="", max_length=5000)
    until: date | None = Field(default=None, description="for removal of internet access: "
                                                         "the day it is restored")


class SkipAction(Command):
    """Drop a recommended action: the matrix is a guide; the reason is recorded."""

    incident_id: str = IncidentId
    person_id: str = PersonId
    action: str = ActionKey
    reason: str = Field(default="", max_length=2000)


class AddAction(Command):
    """Add an action the matrix did not recommend (a column of the school's matrix)."""

    incident_id: str = IncidentId
    person_id: str = PersonId
    action: str = ActionKey
    reason: str = Field(default="", max_length=2000)


class CompleteTask(Command):
    person_id: str = PersonId
    task_id: str = Field(min_length=1, max_length=200)
    notes: str = Field(default="", max_length=5000)
