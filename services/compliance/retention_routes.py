"""`PurgeDue` and `ListPurges`, as every service that purges under retention answers them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from services.compliance.retention_contracts import (
    ListPurges,
    PurgeDue,
    PurgeEntry,
    PurgePage,
    PurgeReport,
)
from shared import erasure_log
from shared.claims import LA_ROLES, Claims, Role
from shared.db import Database
from shared.errors import InvalidInput
from shared.rpc import RpcRouter

Purge = Callable[[datetime, str], Awaitable[PurgeReport]]


def purge_routes(rpc: RpcRouter, db: Database, purge: Purge, clock: Callable[[], datetime],
                 readers: frozenset[Role]) -> None:
    """`purge(as_of, la_id)` runs the service's purge for one LA's schools; `readers`: the
    school's roles that may read its purge log (the LA's always may)."""

    @rpc.handler("PurgeDue")
    async def purge_due(cmd: PurgeDue, caller: Claims) -> PurgeReport:
        caller.require_role(caller.la_id, {Role.LA_ADMIN})
        now = clock()
        if cmd.as_of is not None and cmd.as_of > now:
            raise InvalidInput("a purge cannot run ahead of time", field="as_of")
        return await purge(cmd.as_of or now, caller.la_id)

    @rpc.handler("ListPurges")
    async def list_purges(q: ListPurges, caller: Claims) -> PurgePage:
        caller.require_role(q.school_id, readers | LA_ROLES)
        items, total = await erasure_log.page(db, q.school_id, q.offset, q.limit)
        return PurgePage(items=[PurgeEntry(**i) for i in items], total=total, offset=q.offset,
                         limit=q.limit)
