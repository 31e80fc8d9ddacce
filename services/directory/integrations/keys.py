"""API key handlers: issue and revoke (the school's admins or the LA's), list, verify."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, update

from services.directory.domain import api_key, tenancy
from services.directory.domain.commands import IssueApiKey, RevokeApiKey
from services.directory.integrations import keystore, secret
from services.directory.integrations.contracts import (
    IssuedKey,
    IssueKey,
    KeyView,
    ListKeys,
    RevokeKey,
    Verified,
    VerifyApiKey,
)
from services.directory.integrations.tables import api_keys
from shared.claims import Claims, Role
from shared.db import as_utc
from shared.errors import Forbidden, InvalidInput, Unauthenticated
from shared.events import Metadata, now
from shared.eventstore import NewEvents
from shared.rpc import RpcRouter
from shared.service import Kit

KEY_ADMINS = frozenset({Role.SCHOOL_ADMIN, Role.HEADTEACHER, Role.LA_ADMIN})


async def school_of_callers_la(kit: Kit, school_id: str, caller: Claims) -> str:
    """The school's LA id; LA roles reach every school, but only of their own LA."""
    school, _ = await kit.bus.load(tenancy.school, school_id)
    if not school.exists or school.la_id != caller.la_id:
        raise Forbidden("you may not act for this school")
    return school.la_id


def add_key_handlers(rpc: RpcRouter, kit: Kit) -> None:
    async def authorise(school_id: str, caller: Claims) -> str:
        caller.require_role(school_id, KEY_ADMINS)
        return await school_of_callers_la(kit, school_id, caller)

    @rpc.handler("IssueApiKey")
    async def issue(req: IssueKey, caller: Claims) -> IssuedKey:
        la_id = await authorise(req.school_id, caller)
        if req.expires_at is not None and req.expires_at <= now():
            raise InvalidInput("the expiry must be in the future", field="expires_at")
        key_id, plain = secret.new_key()
        cmd = IssueApiKey(school_id=req.school_id, key_id=key_id, name=req.name,
                          scopes=req.scopes, created_by=caller.subject, expires_at=req.expires_at)
        events = api_key.decide(cmd, api_key.api_key.initial)
        at = now()
        # One transaction: the key exists iff its hash is stored.
        async with kit.db.begin() as conn:
            await kit.store.append_in(conn, NewEvents(
                "api_key", key_id, 0, events, Metadata(school_id=req.school_id, occurred_at=at)))
            await conn.execute(insert(api_keys).values(
                key_id=key_id, school_id=req.school_id, la_id=la_id, name=req.name,
                scopes=" ".join(sorted(s.value for s in req.scopes)),
                secret_hash=secret.digest(plain), created_by=caller.subject, created_at=at,
                expires_at=req.expires_at))
        kit.store.appended.set()
        return IssuedKey(key_id=key_id, secret=plain)

    @rpc.handler("RevokeApiKey")
    async def revoke(req: RevokeKey, caller: Claims) -> KeyView:
        await authorise(req.school_id, caller)
        cmd = RevokeApiKey(school_id=req.school_id, key_id=req.key_id, revoked_by=caller.subject)
        state, version = await kit.bus.load(api_key.api_key, req.key_id)
        events = api_key.decide(cmd, state)
        if events:
            async with kit.db.begin() as conn:
                await kit.store.append_in(conn, NewEvents(
                    "api_key", req.key_id, version, events, Metadata(school_id=req.school_id)))
                await conn.execute(update(api_keys).where(api_keys.c.key_id == req.key_id)
                                   .values(revoked_by=caller.subject, revoked_at=now()))
            kit.store.appended.set()
        return await keystore.view(kit.db, req.key_id)

    @rpc.handler("ListApiKeys")
    async def list_keys(req: ListKeys, caller: Claims) -> list[KeyView]:
        await authorise(req.school_id, caller)
        return await keystore.views(kit.db, req.school_id)

    @rpc.handler("VerifyApiKey", public=True)
    async def verify(req: VerifyApiKey, _: Claims) -> Verified:
        key_id = secret.key_id_of(req.key)
        row = await keystore.row(kit.db, key_id) if key_id else None
        if not secret.matches(req.key, row.secret_hash if row else None) or row is None:
            raise Unauthenticated("unknown API key")
        if row.revoked_at is not None:
            raise Unauthenticated(f"this API key was revoked on {_day(row.revoked_at)}; "
                                  "ask the school for a new one")
        at = now()
        if row.expires_at is not None and as_utc(row.expires_at) <= at:
            raise Unauthenticated(f"this API key expired on {_day(row.expires_at)}; "
                                  "ask the school for a new one")
        await keystore.record_use(kit.db, row.key_id, at)
        return Verified(claims=keystore.claims_of(row))


def _day(at: datetime) -> str:
    return at.date().isoformat()

