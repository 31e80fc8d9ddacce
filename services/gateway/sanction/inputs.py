"""Sanction inputs. Field names match the service's commands, so they go over as they are."""

from __future__ import annotations

import strawberry

from services.gateway.sanction.enums import Effect, MatrixAudience


@strawberry.input(description="An action (a column of the matrix).")
class SanctionActionInput:
    key: str = strawberry.field(description="lower_case_with_underscores")
    label: str
    effect: Effect = Effect.NONE
    sanction: bool = strawberry.field(default=False, description="a warning or sanction: "
                                                                 "counts towards continued "
                                                                 "infringements")


@strawberry.input(description="An incident type (a row) and the actions ticked for it.")
class IncidentTypeRowInput:
    key: str = strawberry.field(description="lower-case-with-hyphens")
    label: str
    actions: list[str]


@strawberry.input(description="The continued-infringements row.")
class EscalationInput:
    label: str
    actions: list[str]


@strawberry.input
class PublishSanctionMatrixInput:
    school_id: str
    audience: MatrixAudience
    actions: list[SanctionActionInput]
    rows: list[IncidentTypeRowInput]
    escalation: EscalationInput | None = None
    window_days: int = strawberry.field(default=365, description="how far back earlier "
                                                                 "warnings or sanctions count")
