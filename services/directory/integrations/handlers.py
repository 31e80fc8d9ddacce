"""The integrations' RPC handlers, added to the directory's router."""

from __future__ import annotations

from services.directory.integrations.contracts import SyncReport, SyncRoster
from services.directory.integrations.keys import (
    KEY_ADMINS,
    add_key_handlers,
    school_of_callers_la,
)
from services.directory.integrations.roster import Sync
from shared.claims import Claims, Role, Scope
from shared.rpc import RpcRouter
from shared.service import Kit


def add_integration_handlers(rpc: RpcRouter, kit: Kit) -> None:
    add_key_handlers(rpc, kit)

    @rpc.handler("SyncRoster")
    async def sync_roster(req: SyncRoster, caller: Claims) -> SyncReport:
        if Role.INTEGRATOR in caller.roles:
            caller.require_scope(req.school_id, Scope.ROSTER_WRITE)
        else:
            caller.require_role(req.school_id, KEY_ADMINS)
        await school_of_callers_la(kit, req.school_id, caller)
        return await Sync(kit, req).run()
