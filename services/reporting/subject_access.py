"""The reporting service's part of a subject access request: the facts it derived about the
person (enrolment, signatures, access, actions) and the name it keeps for reports."""

from __future__ import annotations

from datetime import datetime

from services.reporting.projections import facts, people
from shared import subject_access
from shared.claims import Claims
from shared.db import as_utc
from shared.rpc import RpcRouter
from shared.service import Kit
from shared.subject_access import Item, SubjectAccess


def serve(rpc: RpcRouter, kit: Kit) -> None:
    async def collect(q: SubjectAccess, _: Claims) -> list[Item]:
        async with kit.db.read() as conn:
            named = list(await conn.execute(people.select().where(
                people.c.person_id == q.person_id, people.c.school_id == q.school_id)))
            found = list(await conn.execute(facts.select().where(
                facts.c.person == q.person_id, facts.c.school_id == q.school_id)
                .order_by(facts.c.occurred_at, facts.c.fact_id)))
        return [*(Item(kind="name for reports", id=r.person_id, summary=r.name,
                       data={"name": r.name, "roles": r.roles.split()}) for r in named),
                *(Item(kind=f"report fact {r.kind}", id=r.fact_id, at=as_utc(r.occurred_at),
                       summary=" ".join(str(v) for v in (r.kind, r.category, r.outcome) if v),
                       data={k: as_utc(v) if isinstance(v, datetime) else v
                             for k, v in r._mapping.items()})
                  for r in found)]

    subject_access.serve(rpc, collect)
