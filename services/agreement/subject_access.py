"""The agreement service's part of a subject access request: signatures, consents and the
internet-access decisions about the person, in order."""

from __future__ import annotations

from services.agreement import queries
from shared import subject_access
from shared.claims import Claims
from shared.rpc import RpcRouter
from shared.service import Kit
from shared.subject_access import Item, SubjectAccess


def serve(rpc: RpcRouter, kit: Kit) -> None:
    async def collect(q: SubjectAccess, _: Claims) -> list[Item]:
        entries = await queries.person_history(kit.db, q.school_id, q.person_id)
        return [Item(kind=f"agreement {e.entry}", id=f"{q.person_id}-{n}", at=e.at,
                     summary=" ".join(str(v) for v in (
                         e.entry, e.audience and e.audience.value,
                         e.version and f"version {e.version}",
                         e.method and e.method.value, e.detail) if v),
                     data=e.model_dump(mode="json"))
                for n, e in enumerate(entries, 1)]

    subject_access.serve(rpc, collect)
