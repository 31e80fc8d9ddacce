"""Incident entry points: commands and queries over NATS request-reply.

Each handler authorises the caller for the school and, for one incident, by the routing rules
(`domain/access.py`): an incident the caller may not see is "not found", one they may see but
not handle is "forbidden".
"""

from __future__ import annotations

from uuid import uuid4

from services.compliance.retention_routes import purge_routes
from services.incident import people, queries, subject_access, transfers, types
from services.incident.contracts import (
    SERVICE,
    GetIncident,
    IncidentLog,
    IncidentPage,
    IncidentView,
    ListTermlyReviews,
    PersonHistory,
    ReviewView,
)
from services.incident.domain.access import (
    ORDINARY,
    REVIEW_READERS,
    REVIEWERS,
    Sight,
    may_manage,
    may_see,
    sees_all_of,
)
from services.incident.domain.commands import (
    AddIncidentNote,
    AddInvolved,
    AssignIncident,
    ChangeIncidentStatus,
    ClassifyIncident,
    CloseIncident,
    RecordTermlyReview,
    ReferIncident,
    ReportIncident,
)
from services.incident.domain.events import Involved, InvolvedKind
from services.incident.domain.incident import Acting, Action, Incident, incident
from services.incident.domain.review import Record, review, review_id
from services.incident.projections import Log
from services.incident.reactions import CaptureReaction
from services.incident.retention import IncidentPurgeLog, IncidentPurger, IncidentRetention
from services.incident.transfer_views import TransferDirectory, Transfers
from shared.audit import RecordKind, record_view
from shared.claims import SAFEGUARDING_ROLES, STAFF_ROLES, Claims, Role
from shared.content import Erasable, content_metadata, new_ref
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.events import Clock, Metadata, now
from shared.rpc import RpcRouter
from shared.service import Kit, Wiring

REPORTERS = STAFF_ROLES | {Role.LA_ADMIN}
KINDS = {"pupil": InvolvedKind.PUPIL, "staff": InvolvedKind.STAFF,
         "visitor": InvolvedKind.VISITOR}
Managing = ClassifyIncident | AssignIncident | ChangeIncidentStatus | ReferIncident \
    | CloseIncident | AddInvolved


def sight(state: Incident) -> Sight:
    return Sight(reporter=state.reporter, child_protection=state.child_protection,
                 about_staff=state.about_staff, head_only=state.head_only)


def build(kit: Kit, clock: Clock = now) -> Wiring:
    rpc, bus = RpcRouter(SERVICE), kit.bus

    async def staff_member(caller: Claims, school_id: str) -> bool:
        if caller.has_any(REPORTERS):
            return True
        found = await people.known(kit.db, school_id, [caller.subject])
        return found.get(caller.subject, ("", ""))[0] == "staff"

    async def require_reader(caller: Claims, school_id: str) -> None:
        """The log is for members of staff (and the LA): not governors, parents or keys."""
        caller.require_school(school_id)
        if not (caller.has_any(ORDINARY | {Role.LA_ADMIN})
                or await staff_member(caller, school_id)):
            raise Forbidden("the incident log is for members of staff")

    async def involved_as_known(cmd: ReportIncident | AddInvolved) -> list[Involved]:
        """Directory people keep their directory kind: "about staff" cannot be misstated."""
        ids = [p.person_id for p in cmd.involved if p.person_id]
        found = await people.known(kit.db, cmd.school_id, ids)
        out = []
        for p in cmd.involved:
            if p.person_id is None:
                out.append(p)
                continue
            if p.person_id not in found:
                raise InvalidInput(f"no person {p.person_id} at this school", field="involved")
            kind, name = found[p.person_id]
            out.append(Involved(kind=KINDS.get(kind, p.kind), person_id=p.person_id,
                                name=p.name or name))
        return out

    async def load_visible(caller: Claims, school_id: str, incident_id: str) -> Incident:
        caller.require_school(school_id)
        state, _ = await bus.load(incident, incident_id)
        if not state.exists or state.school_id != school_id or not may_see(caller,
                                                                           sight(state)):
            raise NotFound(f"no incident {incident_id} at this school", field="incident_id")
        return state

    async def run(cmd: Action, caller: Claims, incident_id: str,
                  text: dict[str, str] | None = None) -> dict[str, object]:
        """`text`: free text for the erasable content; the event carries its ref."""
        kept = Erasable(new_ref(), cmd.school_id, incident.aggregate_type, incident_id, text) \
            if text and any(text.values()) else None
        done = await bus.execute(incident, incident_id,
                                 Acting(cmd, caller.subject, caller.name, incident_id,
                                        kept.ref if kept else None),
                                 Metadata(school_id=cmd.school_id), keep=[kept] if kept else [])
        return {"incident_id": incident_id, "status": done.state.status.value}

    @rpc.handler("ReportIncident")
    async def report(cmd: ReportIncident, caller: Claims) -> dict[str, object]:
        caller.require_school(cmd.school_id)
        if cmd.school_id == caller.la_id:
            raise Forbidden("incidents are a school's; the local authority is not a school")
        if not await staff_member(caller, cmd.school_id):
            raise Forbidden("incidents are reported by members of staff")
        cmd = cmd.model_copy(update={"involved": await involved_as_known(cmd)})
        # Ids are the service's: a client-chosen one could probe other schools' ids.
        return await run(cmd, caller, f"inc-{uuid4().hex}", {"description": cmd.description})

    async def handle(cmd: Managing, caller: Claims) -> dict[str, object]:
        state = await load_visible(caller, cmd.school_id, cmd.incident_id)
        if not may_manage(caller, sight(state), state.assignee):
            raise Forbidden("this incident is handled by the safeguarding leads, the "
                            "e-safety co-ordinator or the person it is assigned to")
        if (isinstance(cmd, ClassifyIncident) and state.child_protection
                and not cmd.child_protection and not caller.has_any(
                    SAFEGUARDING_ROLES | {Role.LA_ADMIN})):
            raise Forbidden("only the DSL, deputy DSL or headteacher lift a child-protection "
                            "flag")
        if isinstance(cmd, AddInvolved):
            cmd = cmd.model_copy(update={"involved": await involved_as_known(cmd)})
        if isinstance(cmd, ClassifyIncident) and cmd.incident_type is not None:
            await types.check(kit.db, cmd.school_id, types.audiences(state), cmd.incident_type)
        if isinstance(cmd, AssignIncident):
            assignee = await people.as_claims(kit.db, cmd.school_id, cmd.assignee)
            if assignee is None:
                raise InvalidInput(f"{cmd.assignee} is not a member of staff here",
                                   field="assignee")
            if not sees_all_of(assignee, sight(state)):
                raise InvalidInput(f"{cmd.assignee} may not see this incident (child "
                                   "protection: the DSL, deputy DSL or headteacher; about "
                                   "staff: the leads)", field="assignee")
        text = {"notes": cmd.notes} if isinstance(cmd, ReferIncident) else \
            {"outcome": cmd.outcome} if isinstance(cmd, CloseIncident) else None
        return await run(cmd, caller, cmd.incident_id, text)

    for name, model in (("ClassifyIncident", ClassifyIncident),
                        ("AssignIncident", AssignIncident),
                        ("ChangeIncidentStatus", ChangeIncidentStatus),
                        ("ReferIncident", ReferIncident), ("CloseIncident", CloseIncident),
                        ("AddInvolved", AddInvolved)):
        rpc.add(name, handle, model=model)

    @rpc.handler("AddIncidentNote")
    async def add_note(cmd: AddIncidentNote, caller: Claims) -> dict[str, object]:
        state = await load_visible(caller, cmd.school_id, cmd.incident_id)
        if not caller.has_any(REPORTERS) and caller.subject != state.reporter:
            raise Forbidden("notes are added by members of staff")
        return await run(cmd, caller, cmd.incident_id, {"text": cmd.text})

    @rpc.handler("RecordTermlyReview")
    async def record_review(cmd: RecordTermlyReview, caller: Claims) -> ReviewView:
        caller.require_role(cmd.school_id, REVIEWERS)
        rid = review_id(cmd.school_id, cmd.term)
        done = await bus.execute(review, rid, Record(cmd, caller.subject, caller.name),
                                 Metadata(school_id=cmd.school_id))
        [env] = done.envelopes
        return ReviewView(**env.payload, recorded_at=env.occurred_at)

    @rpc.handler("IncidentLog")
    async def incident_log(q: IncidentLog, caller: Claims) -> IncidentPage:
        await require_reader(caller, q.school_id)
        return await queries.log(kit.db, q, caller)

    @rpc.handler("GetIncident")
    async def get_incident(q: GetIncident, caller: Claims) -> IncidentView:
        await require_reader(caller, q.school_id)
        view = await queries.one(kit.db, q, caller)
        await subject_access.audit_detail(kit, view, caller)
        return view

    @rpc.handler("PersonHistory")
    async def person_history(q: PersonHistory, caller: Claims) -> IncidentPage:
        await require_reader(caller, q.school_id)
        page = await queries.log(kit.db, IncidentLog(school_id=q.school_id,
                                                     person_id=q.person_id, limit=200), caller)
        await record_view(kit.store, q.school_id, caller, RecordKind.PERSON_HISTORY,
                          q.person_id, [q.person_id], "PersonHistory")
        return page

    @rpc.handler("ListTermlyReviews")
    async def list_reviews(q: ListTermlyReviews, caller: Claims) -> list[ReviewView]:
        caller.require_role(q.school_id, REVIEW_READERS)
        return await queries.termly_reviews(kit.db, q.school_id)

    subject_access.serve(rpc, kit, clock)
    transfers.serve(rpc, kit, clock)
    purger = IncidentPurger(kit, clock)
    purge_routes(rpc, kit.db, purger.purge_due, clock, SAFEGUARDING_ROLES)
    projections = [Log(), people.People(), types.IncidentTypes(),
                   CaptureReaction(kit.store, kit.registry), IncidentRetention(),
                   IncidentPurgeLog(), TransferDirectory(), Transfers()]
    return Wiring(rpc=rpc, projections=projections, tables=[content_metadata],
                  tasks=[purger.timer()])
