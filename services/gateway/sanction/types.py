"""GraphQL types of the sanction service, built from its contract views."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from services.gateway.sanction.enums import Effect, MatrixAudience
from services.sanction.contracts import (
    IncidentType as IncidentTypeView,
)
from services.sanction.contracts import (
    MatrixView,
    RecommendationView,
    ReferralView,
    TaskView,
)


@strawberry.type
class SanctionAction:
    key: str
    label: str
    effect: Effect
    sanction: bool


@strawberry.type
class MatrixRow:
    key: str
    label: str
    actions: list[str]


@strawberry.type
class MatrixEscalation:
    label: str
    actions: list[str]


@strawberry.type(description="A school's actions/sanctions matrix, one version.")
class SanctionMatrix:
    school_id: str
    audience: MatrixAudience
    version: int
    window_days: int
    actions: list[SanctionAction]
    rows: list[MatrixRow]
    escalation: MatrixEscalation | None
    by: str
    by_name: str
    published_at: datetime
    versions: list[int]

    @classmethod
    def of(cls, data: Any) -> SanctionMatrix:
        view = MatrixView.model_validate(data)
        esc = view.escalation
        return cls(**view.model_dump(include={"school_id", "audience", "version", "window_days",
                                              "by", "by_name", "published_at", "versions"}),
                   actions=[SanctionAction(**a.model_dump()) for a in view.actions],
                   rows=[MatrixRow(**r.model_dump()) for r in view.rows],
                   escalation=MatrixEscalation(**esc.model_dump()) if esc else None)


@strawberry.type(description="A row of the school's current matrix: the incident log's types.")
class IncidentType:
    audience: MatrixAudience
    key: str
    label: str
    matrix_version: int

    @classmethod
    def of(cls, data: Any) -> IncidentType:
        return cls(**IncidentTypeView.model_validate(data).model_dump())


@strawberry.type
class RecommendedAction:
    action: str
    label: str
    effect: Effect
    sanction: bool
    escalation: bool
    status: str = strawberry.field(description="recommended, added, taken or skipped")
    reason: str
    notes: str
    by: str | None
    by_name: str | None
    at: datetime | None


@strawberry.type(description="The matrix's actions for one person involved in an incident.")
class SanctionRecommendation:
    incident_id: str
    person_id: str
    person_name: str
    audience: MatrixAudience
    incident_type: str
    row_label: str
    matrix_version: int
    escalated: bool
    earlier: list[str]
    recommended_at: datetime
    actions: list[RecommendedAction]

    @classmethod
    def of(cls, data: Any) -> SanctionRecommendation:
        view = RecommendationView.model_validate(data)
        return cls(**view.model_dump(exclude={"actions"}),
                   actions=[RecommendedAction(**a.model_dump()) for a in view.actions])


@strawberry.type(description="Inform parents / carers: open until marked done.")
class SanctionTask:
    task_id: str
    incident_id: str
    person_id: str
    person_name: str
    task: str
    opened_at: datetime
    done: bool
    done_at: datetime | None
    done_by: str | None
    notes: str

    @classmethod
    def of(cls, data: Any) -> SanctionTask:
        return cls(**TaskView.model_validate(data).model_dump())


@strawberry.type(description="A referral to technical support (filtering / security).")
class IctReferral:
    incident_id: str
    audience: MatrixAudience
    person_id: str | None
    notes: str
    by: str
    at: datetime

    @classmethod
    def of(cls, data: Any) -> IctReferral:
        return cls(**ReferralView.model_validate(data).model_dump())


@strawberry.type
class MatrixRef:
    school_id: str
    audience: MatrixAudience
    version: int


@strawberry.type
class SanctionActionDone:
    incident_id: str
    person_id: str
    events: list[str] = strawberry.field(description="the events recorded")
