"""Sanction events (facts, past tense). Type names are stable: they are stored forever."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.events import Event
from shared.registry import registry


class MatrixAudience(StrEnum):
    """Oakridge §17 has one matrix for pupil incidents and one for staff incidents."""

    PUPIL = "pupil"
    STAFF = "staff"


class Effect(StrEnum):
    """What taking an action sets going beyond recording it."""

    NONE = "none"
    PARENT_TASK = "parent_task"  # "inform parents / carers": a task, open until done
    REMOVE_ACCESS = "remove_access"  # "removal of network / internet access": agreement revokes
    ICT_REFERRAL = "ict_referral"  # "refer to technical support": the ICT lead's list


class Column(BaseModel):
    """An action (a column of a matrix)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1, max_length=300)
    effect: Effect = Effect.NONE
    sanction: bool = Field(default=False, description="a warning or sanction: counts towards "
                                                      "continued infringements")


class Row(BaseModel):
    """An incident type (a row) and the actions ticked for it."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    key: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")
    label: str = Field(min_length=1, max_length=400)
    actions: list[str] = Field(default=[], max_length=40)


class Escalation(BaseModel):
    """The "continued infringements ... following previous warnings or sanctions" row."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    label: str = Field(min_length=1, max_length=400)
    actions: list[str] = Field(min_length=1, max_length=40)


@registry.register
class MatrixPublished(Event):
    type_name = "MatrixPublished"
    school_id: str
    audience: MatrixAudience
    version: int
    actions: list[Column]
    rows: list[Row]
    escalation: Escalation | None
    window_days: int
    by: str
    by_name: str = ""


@registry.register
class SanctionRecommended(Event):
    """The row's actions for one person involved in an incident, plus the escalation's when
    the person had warnings or sanctions within the window (`earlier` names those incidents)."""

    type_name = "SanctionRecommended"
    incident_id: str
    person_id: str
    person_name: str
    audience: MatrixAudience
    incident_type: str
    row_label: str
    matrix_version: int
    actions: list[Column]
    escalation: list[str]  # keys among `actions` that the escalation added
    earlier: list[str]


@registry.register
class ActionAdded(Event):
    type_name = "ActionAdded"
    incident_id: str
    person_id: str
    action: Column
    reason: str
    by: str


@registry.register
class ActionSkipped(Event):
    type_name = "ActionSkipped"
    incident_id: str
    person_id: str
    action: str
    reason: str
    by: str


@registry.register
class ActionTaken(Event):
    type_name = "ActionTaken"
    incident_id: str
    person_id: str
    action: str
    label: str
    sanction: bool
    notes: str
    by: str
    by_name: str = ""
    taken_at: datetime  # the domain's clock for the repeat-infringement window


@registry.register
class ParentContactTaskOpened(Event):
    type_name = "ParentContactTaskOpened"
    task_id: str
    incident_id: str
    person_id: str
    person_name: str


@registry.register
class TaskCompleted(Event):
    type_name = "TaskCompleted"
    task_id: str
    incident_id: str
    person_id: str
    notes: str
    by: str


@registry.register
class IctReferralMade(Event):
    """"Refer to technical support (filtering / security)": for the ICT lead and technicians."""

    type_name = "IctReferralMade"
    incident_id: str
    person_id: str
    audience: MatrixAudience
    notes: str
    by: str


@registry.register
class InternetAccessRemovalOrdered(Event):
    """"Removal of network / internet access": the agreement service revokes the person's
    access until `until` (AccessRevoked with `until`); from that day on its grace-period run
    reassesses the person and grants access again if their signatures are in order."""

    type_name = "InternetAccessRemovalOrdered"
    person_id: str
    school_id: str
    until: date
    reason: str
    incident_id: str
