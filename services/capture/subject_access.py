"""The capture service's part of a subject access request: the monitoring captures where the
person was the user, with their moderation (screenshots are named by hash, not copied)."""

from __future__ import annotations

from services.capture.projections import captures
from services.capture.queries import WITH_PERSON, view
from shared import subject_access
from shared.claims import Claims
from shared.rpc import RpcRouter
from shared.service import Kit
from shared.subject_access import Item, SubjectAccess


def serve(rpc: RpcRouter, kit: Kit) -> None:
    async def collect(q: SubjectAccess, _: Claims) -> list[Item]:
        async with kit.db.read() as conn:
            rows = list(await conn.execute(WITH_PERSON.where(
                captures.c.school_id == q.school_id, captures.c.person_id == q.person_id)
                .order_by(captures.c.captured_at)))
        found = [view(r) for r in rows]
        return [Item(kind="capture", id=c.capture_id, at=c.captured_at,
                     summary=f"{c.product} on {c.machine}: {c.excerpt} "
                             f"({c.grade.value if c.grade else 'not graded'})",
                     data=c.model_dump(mode="json")) for c in found]

    subject_access.serve(rpc, collect)
