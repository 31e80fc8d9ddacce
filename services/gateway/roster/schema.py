"""Roster queries and mutations: API keys (for admins) and `syncRoster` (for keys, or admins)."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import datetime

import strawberry

from services.directory.contracts import SERVICE
from services.directory.integrations.contracts import SyncMode as Mode
from services.gateway.context import Info, signed_in
from services.gateway.roster.sync import Roster, sync
from services.gateway.roster.types import (
    ApiKey,
    ApiScope,
    ChangeReport,
    IssuedApiKey,
    RosterClassInput,
    RosterPersonInput,
    SyncMode,
)


@strawberry.type
class RosterQuery:
    @strawberry.field(extensions=signed_in(), description="A school's keys (never secrets).")
    async def api_keys(self, info: Info, school_id: str) -> list[ApiKey]:
        found = await info.context.call(SERVICE, "ListApiKeys", {"school_id": school_id})
        return [ApiKey.of(k) for k in found]


@strawberry.type
class RosterMutation:
    @strawberry.mutation(extensions=signed_in(), description="School admins, heads, LA admins.")
    async def issue_api_key(self, info: Info, school_id: str, name: str, scopes: list[ApiScope],
                            expires_at: datetime | None = None) -> IssuedApiKey:
        req = {"school_id": school_id, "name": name, "scopes": [s.value for s in scopes],
               "expires_at": expires_at.isoformat() if expires_at else None}
        done = await info.context.call(SERVICE, "IssueApiKey", req)
        return IssuedApiKey(key_id=done["key_id"], secret=done["secret"])

    @strawberry.mutation(extensions=signed_in())
    async def revoke_api_key(self, info: Info, school_id: str, key_id: str) -> ApiKey:
        req = {"school_id": school_id, "key_id": key_id}
        return ApiKey.of(await info.context.call(SERVICE, "RevokeApiKey", req))

    @strawberry.mutation(extensions=signed_in(), description="Upsert people by MIS id; needs a "
                         "key with roster:write for the school, or a school/LA admin.")
    async def sync_roster(self, info: Info, school_id: str, mode: SyncMode,
                          people: list[RosterPersonInput],
                          classes: list[RosterClassInput] | None = None) -> ChangeReport:
        roster = Roster(school_id, Mode(mode.value), [p.row() for p in people],
                        [f"people[{i}]" for i in range(len(people))],
                        None if classes is None else [c.row() for c in classes])
        return ChangeReport.of(await sync(info.context.call, roster))
