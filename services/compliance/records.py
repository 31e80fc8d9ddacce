"""Compliance's RPCs for the audit trail and subject access requests.

A subject access request is itself a recorded read: `RequestSubjectAccess` appends a
`RecordViewed` ("request") whose stream id is the request id, so the request needs no other
state; every download (`OpenSubjectAccess`) is recorded before the gateway collects the data.
"""

from __future__ import annotations

from services.compliance import audit_trail
from services.compliance.audit_contracts import (
    AuditPage,
    AuditTrail,
    OpenSubjectAccess,
    RequestSubjectAccess,
    SubjectAccessRequestView,
)
from shared import subject_access
from shared.audit import AGGREGATE, RecordKind, RecordViewed, record_view
from shared.claims import Claims, Role
from shared.errors import Forbidden, NotFound
from shared.rpc import RpcRouter
from shared.service import Kit
from shared.subject_access import REQUESTERS, Item, SubjectAccess

AUDIT_READERS = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.LA_ADMIN})


def routes(rpc: RpcRouter, kit: Kit) -> None:
    @rpc.handler("AuditTrail")
    async def trail(q: AuditTrail, caller: Claims) -> AuditPage:
        if q.school_id is None:
            if not caller.has_any({Role.LA_ADMIN}):
                raise Forbidden("name a school: only the LA reads every school's trail")
        else:
            caller.require_role(q.school_id, AUDIT_READERS)
        return await audit_trail.page(kit.db, q, caller)

    @rpc.handler("RequestSubjectAccess")
    async def request(cmd: RequestSubjectAccess, caller: Claims) -> SubjectAccessRequestView:
        caller.require_school_role(cmd.school_id, REQUESTERS)
        request_id = await record_view(kit.store, cmd.school_id, caller,
                                       RecordKind.SUBJECT_ACCESS, cmd.person_id,
                                       [cmd.person_id], "request")
        return await _request(request_id, caller)

    async def _request(request_id: str, caller: Claims) -> SubjectAccessRequestView:
        stored = await kit.store.load(AGGREGATE, request_id)
        if len(stored) != 1 or stored[0].payload.get("action") != "request":
            raise NotFound("no such subject access request", field="request_id")
        [env] = stored
        made = kit.registry.decode(env)
        assert isinstance(made, RecordViewed)
        if not caller.can_access(env.school_id) or not caller.has_any(REQUESTERS):
            raise NotFound("no such subject access request", field="request_id")
        return SubjectAccessRequestView(request_id=request_id, school_id=env.school_id,
                                        person_id=made.record_id, requested_by=made.viewer,
                                        requested_by_name=made.viewer_name,
                                        requested_at=env.occurred_at)

    @rpc.handler("OpenSubjectAccess")
    async def open_export(q: OpenSubjectAccess, caller: Claims) -> SubjectAccessRequestView:
        found = await _request(q.request_id, caller)
        # Recorded before anything is collected: an export that cannot be audited is refused.
        await record_view(kit.store, found.school_id, caller, RecordKind.SUBJECT_ACCESS,
                          found.person_id, [found.person_id], f"export {q.format}")
        return found

    async def views_of(q: SubjectAccess, caller: Claims) -> list[Item]:
        """The audit of who read this person's records (all of it, page by page)."""
        items: list[Item] = []
        offset, total = 0, 1
        while offset < total:
            found = await audit_trail.page(kit.db, AuditTrail(
                school_id=q.school_id, person_id=q.person_id, offset=offset, limit=500), caller)
            items += [Item(kind="view", id=e.event_id, at=e.at,
                           summary=f"{e.viewer_name or e.viewer} ({', '.join(e.roles)}): "
                                   f"{e.action} {e.kind.value} {e.record_id}",
                           data=e.model_dump(mode="json")) for e in found.items]
            offset, total = offset + 500, found.total
        return items

    subject_access.serve(rpc, views_of)
