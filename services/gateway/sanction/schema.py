"""Sanction queries and mutations: each resolver is one RPC to the sanction service."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from services.gateway.context import Info, signed_in
from services.gateway.directory.inputs import body
from services.gateway.sanction.enums import MatrixAudience
from services.gateway.sanction.inputs import PublishSanctionMatrixInput
from services.gateway.sanction.types import (
    IctReferral,
    IncidentType,
    MatrixRef,
    SanctionActionDone,
    SanctionMatrix,
    SanctionRecommendation,
    SanctionTask,
)
from services.sanction.contracts import SERVICE


def _done(data: dict[str, Any]) -> SanctionActionDone:
    return SanctionActionDone(incident_id=data["incident_id"], person_id=data["person_id"],
                              events=data["events"])


@strawberry.type
class SanctionQuery:
    @strawberry.field(extensions=signed_in(), description="A school's matrix (the current "
                                                          "version unless one is named).")
    async def sanction_matrix(self, info: Info, school_id: str, audience: MatrixAudience,
                              version: int | None = None) -> SanctionMatrix:
        q = {"school_id": school_id, "audience": audience, "version": version}
        return SanctionMatrix.of(await info.context.call(SERVICE, "GetMatrix", q))

    @strawberry.field(extensions=signed_in(), description="The school's incident types: the "
                                                          "rows of its current matrices.")
    async def incident_types(self, info: Info, school_id: str,
                             audience: MatrixAudience | None = None) -> list[IncidentType]:
        q = {"school_id": school_id, "audience": audience}
        return [IncidentType.of(t) for t in await info.context.call(SERVICE, "IncidentTypes", q)]

    @strawberry.field(extensions=signed_in())
    async def sanction_recommendations(self, info: Info, school_id: str,
                                       incident_id: str) -> list[SanctionRecommendation]:
        q = {"school_id": school_id, "incident_id": incident_id}
        found = await info.context.call(SERVICE, "Recommendations", q)
        return [SanctionRecommendation.of(r) for r in found]

    @strawberry.field(extensions=signed_in(), description="A person's sanction history.")
    async def person_sanctions(self, info: Info, school_id: str,
                               person_id: str) -> list[SanctionRecommendation]:
        q = {"school_id": school_id, "person_id": person_id}
        found = await info.context.call(SERVICE, "PersonSanctions", q)
        return [SanctionRecommendation.of(r) for r in found]

    @strawberry.field(extensions=signed_in(), description="Parent-contact tasks not yet done.")
    async def open_sanction_tasks(self, info: Info, school_id: str) -> list[SanctionTask]:
        found = await info.context.call(SERVICE, "OpenTasks", {"school_id": school_id})
        return [SanctionTask.of(t) for t in found]

    @strawberry.field(extensions=signed_in(), description="Referrals to technical support, "
                                                          "for the ICT lead.")
    async def ict_referrals(self, info: Info, school_id: str) -> list[IctReferral]:
        found = await info.context.call(SERVICE, "IctReferrals", {"school_id": school_id})
        return [IctReferral.of(r) for r in found]


@strawberry.type
class SanctionMutation:
    @strawberry.mutation(extensions=signed_in(), description="Headteacher, DSL or LA admin.")
    async def publish_sanction_matrix(self, info: Info,
                                      input: PublishSanctionMatrixInput) -> MatrixRef:
        done = await info.context.call(SERVICE, "PublishMatrix", body(input))
        return MatrixRef(school_id=done["school_id"], audience=MatrixAudience(done["audience"]),
                         version=done["version"])

    @strawberry.mutation(extensions=signed_in(), description="Take a recommended or added "
                                                             "action (removal of internet "
                                                             "access needs `until`).")
    async def take_sanction_action(self, info: Info, school_id: str, incident_id: str,
                                   person_id: str, action: str, notes: str = "",
                                   until: date | None = None) -> SanctionActionDone:
        cmd = {"school_id": school_id, "incident_id": incident_id, "person_id": person_id,
               "action": action, "notes": notes, "until": until}
        return _done(await info.context.call(SERVICE, "TakeAction", cmd))

    @strawberry.mutation(extensions=signed_in(), description="Drop a recommended action; the "
                                                             "reason is required.")
    async def skip_sanction_action(self, info: Info, school_id: str, incident_id: str,
                                   person_id: str, action: str,
                                   reason: str) -> SanctionActionDone:
        cmd = {"school_id": school_id, "incident_id": incident_id, "person_id": person_id,
               "action": action, "reason": reason}
        return _done(await info.context.call(SERVICE, "SkipAction", cmd))

    @strawberry.mutation(extensions=signed_in(), description="Add an action the matrix did "
                                                             "not recommend; the reason is "
                                                             "required.")
    async def add_sanction_action(self, info: Info, school_id: str, incident_id: str,
                                  person_id: str, action: str,
                                  reason: str) -> SanctionActionDone:
        cmd = {"school_id": school_id, "incident_id": incident_id, "person_id": person_id,
               "action": action, "reason": reason}
        return _done(await info.context.call(SERVICE, "AddAction", cmd))

    @strawberry.mutation(extensions=signed_in())
    async def complete_sanction_task(self, info: Info, school_id: str, person_id: str,
                                     task_id: str, notes: str = "") -> SanctionActionDone:
        cmd = {"school_id": school_id, "person_id": person_id, "task_id": task_id,
               "notes": notes}
        return _done(await info.context.call(SERVICE, "CompleteTask", cmd))
