"""The directory's part of a subject access request: the person's record (with guardians,
children, roles and login name) and every change to it, as stored."""

from __future__ import annotations

from services.directory import queries
from services.directory.domain.person import person
from shared import subject_access
from shared.claims import Claims
from shared.rpc import RpcRouter
from shared.service import Kit
from shared.subject_access import Item, SubjectAccess


def serve(rpc: RpcRouter, kit: Kit) -> None:
    async def collect(q: SubjectAccess, _: Claims) -> list[Item]:
        found = await queries.person(kit.db, q.school_id, q.person_id)
        record = Item(kind="person", id=found.person_id, at=found.enrolled_at,
                      summary=f"{found.kind.value} {found.given_name} {found.family_name} at "
                              f"{found.school_id}",
                      data=found.model_dump(mode="json"))
        changes = [Item(kind="directory change", id=str(e.event_id), at=e.occurred_at,
                        summary=e.type, data=e.payload)
                   for e in await kit.store.load(person.aggregate_type, q.person_id)
                   if e.school_id == q.school_id]
        return [record, *changes]

    subject_access.serve(rpc, collect)
