"""The sanction service's part of a subject access request: the actions and sanctions
recommended for the person, and what was taken, dropped or added."""

from __future__ import annotations

from services.sanction import queries
from shared import subject_access
from shared.claims import Claims
from shared.rpc import RpcRouter
from shared.service import Kit
from shared.subject_access import Item, SubjectAccess


def serve(rpc: RpcRouter, kit: Kit) -> None:
    async def collect(q: SubjectAccess, caller: Claims) -> list[Item]:
        found = await queries.recommended(kit.db, caller, q.school_id, person_id=q.person_id)
        return [Item(kind="sanctions", id=f"{r.incident_id}/{r.person_id}",
                     at=r.recommended_at,
                     summary=f"{r.incident_type}: " + "; ".join(
                         f"{a.label} ({a.status})" for a in r.actions),
                     data=r.model_dump(mode="json")) for r in found]

    subject_access.serve(rpc, collect)
