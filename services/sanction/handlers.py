"""Sanction entry points: commands and queries over NATS request-reply.

Each handler authorises the caller for the school and, for a person's sanctions in one
incident, by `domain/access.py`: sanctions the caller may not see are "not found", ones they
may see but not handle are "forbidden".
"""

from __future__ import annotations

from services.incident.domain.access import sees_all_of
from services.sanction import queries, subject_access
from services.sanction.contracts import (
    SERVICE,
    GetMatrix,
    IctReferrals,
    IncidentType,
    IncidentTypes,
    MatrixView,
    OpenTasks,
    PersonSanctions,
    Recommendations,
    RecommendationView,
    ReferralView,
    TaskView,
)
from services.sanction.domain.access import (
    MATRIX_READERS,
    PUBLISHERS,
    RECORD_READERS,
    REFERRAL_READERS,
    may_handle,
)
from services.sanction.domain.commands import (
    AddAction,
    CompleteTask,
    PublishMatrix,
    SkipAction,
    TakeAction,
)
from services.sanction.domain.matrix import Publish, matrix, matrix_id
from services.sanction.domain.record import Acting, Handling, Record, record, record_id
from services.sanction.projections import Sanctions
from services.sanction.reactions import IncidentReaction
from shared.audit import RecordKind, record_view
from shared.claims import Claims
from shared.errors import Forbidden, NotFound
from shared.events import Metadata, now
from shared.rpc import RpcRouter
from shared.service import Kit, Wiring

Acts = TakeAction | SkipAction | AddAction


def build(kit: Kit) -> Wiring:
    rpc, bus = RpcRouter(SERVICE), kit.bus

    async def authorised(caller: Claims, school_id: str, person_id: str,
                         incident_id: str) -> Record:
        caller.require_school(school_id)
        state, _ = await bus.load(record, record_id(school_id, person_id))
        case = state.cases.get(incident_id)
        sight = await queries.incident_sight(kit.db, school_id, incident_id)
        if case is None or sight is None or not (sees_all_of(caller, sight)
                                                 or may_handle(caller, case.audience, sight)):
            raise NotFound(f"no recommendation for {person_id} in incident {incident_id}",
                           field="incident_id")
        if not may_handle(caller, case.audience, sight):
            raise Forbidden("sanctions on staff are for the headteacher; on pupils, for the "
                            "DSL, deputy DSL, headteacher or e-safety co-ordinator")
        return state

    async def run(cmd: Handling, caller: Claims, state: Record,
                  incident_id: str) -> dict[str, object]:
        column = None
        if isinstance(cmd, AddAction):
            audience = state.cases[incident_id].audience
            policy, _ = await bus.load(matrix, matrix_id(cmd.school_id, audience))
            column = policy.column(cmd.action)
        done = await bus.execute(record, record_id(cmd.school_id, cmd.person_id),
                                 Acting(cmd, caller.subject, now(), caller.name, column),
                                 Metadata(school_id=cmd.school_id))
        return {"incident_id": incident_id, "person_id": cmd.person_id,
                "events": [e.type for e in done.envelopes]}

    async def act(cmd: Acts, caller: Claims) -> dict[str, object]:
        state = await authorised(caller, cmd.school_id, cmd.person_id, cmd.incident_id)
        return await run(cmd, caller, state, cmd.incident_id)

    for name, model in (("TakeAction", TakeAction), ("SkipAction", SkipAction),
                        ("AddAction", AddAction)):
        rpc.add(name, act, model=model)

    @rpc.handler("CompleteTask")
    async def complete(cmd: CompleteTask, caller: Claims) -> dict[str, object]:
        caller.require_school(cmd.school_id)
        state, _ = await bus.load(record, record_id(cmd.school_id, cmd.person_id))
        incident_id = state.tasks.get(cmd.task_id, ("", False))[0]
        if not incident_id:
            raise NotFound(f"no task {cmd.task_id} at this school", field="task_id")
        await authorised(caller, cmd.school_id, cmd.person_id, incident_id)
        return await run(cmd, caller, state, incident_id)

    @rpc.handler("PublishMatrix")
    async def publish(cmd: PublishMatrix, caller: Claims) -> dict[str, object]:
        caller.require_school_role(cmd.school_id, PUBLISHERS)
        done = await bus.execute(matrix, matrix_id(cmd.school_id, cmd.audience),
                                 Publish(cmd, caller.subject, caller.name),
                                 Metadata(school_id=cmd.school_id))
        return {"school_id": cmd.school_id, "audience": cmd.audience.value,
                "version": done.state.version}

    @rpc.handler("GetMatrix")
    async def get_matrix(q: GetMatrix, caller: Claims) -> MatrixView:
        caller.require_role(q.school_id, MATRIX_READERS)
        return await queries.matrix(kit.db, q)

    @rpc.handler("IncidentTypes")
    async def incident_types(q: IncidentTypes, caller: Claims) -> list[IncidentType]:
        caller.require_role(q.school_id, MATRIX_READERS)
        return await queries.incident_types(kit.db, q.school_id, q.audience)

    @rpc.handler("Recommendations")
    async def for_incident(q: Recommendations, caller: Claims) -> list[RecommendationView]:
        caller.require_role(q.school_id, RECORD_READERS)
        return await queries.recommended(kit.db, caller, q.school_id, incident_id=q.incident_id)

    @rpc.handler("PersonSanctions")
    async def for_person(q: PersonSanctions, caller: Claims) -> list[RecommendationView]:
        caller.require_role(q.school_id, RECORD_READERS)
        found = await queries.recommended(kit.db, caller, q.school_id, person_id=q.person_id)
        await record_view(kit.store, q.school_id, caller, RecordKind.PERSON_HISTORY,
                          q.person_id, [q.person_id], "PersonSanctions")
        return found

    @rpc.handler("OpenTasks")
    async def open_tasks(q: OpenTasks, caller: Claims) -> list[TaskView]:
        caller.require_role(q.school_id, RECORD_READERS)
        return await queries.open_tasks(kit.db, caller, q.school_id)

    @rpc.handler("IctReferrals")
    async def ict_referrals(q: IctReferrals, caller: Claims) -> list[ReferralView]:
        caller.require_role(q.school_id, REFERRAL_READERS)
        return await queries.ict_referrals(kit.db, caller, q.school_id)

    subject_access.serve(rpc, kit)
    projections = [Sanctions(), IncidentReaction(kit.store, kit.registry)]
    return Wiring(rpc=rpc, projections=projections)
