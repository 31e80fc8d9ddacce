"""Reads and writes of the api_keys and api_key_uses tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update

from services.directory.integrations.contracts import KeyView
from services.directory.integrations.tables import api_key_uses, api_keys
from shared.claims import Claims, Role, Scope
from shared.db import Database, as_utc
from shared.errors import NotFound


async def row(db: Database, key_id: str) -> Row[Any] | None:
    async with db.read() as conn:
        return (await conn.execute(select(api_keys).where(api_keys.c.key_id == key_id))).first()


def claims_of(key: Row[Any]) -> Claims:
    return Claims(subject=f"key:{key.key_id}", name=key.name, school_id=key.school_id,
                  la_id=key.la_id, roles=frozenset({Role.INTEGRATOR}),
                  scopes=frozenset(Scope(s) for s in key.scopes.split()))


async def record_use(db: Database, key_id: str, at: datetime) -> None:
    where = (api_key_uses.c.key_id == key_id, api_key_uses.c.day == at.date())
    async with db.begin() as conn:
        done = await conn.execute(update(api_key_uses).where(*where).values(
            uses=api_key_uses.c.uses + 1, last_used_at=at))
        if done.rowcount == 0:
            await conn.execute(insert(api_key_uses).values(key_id=key_id, day=at.date(), uses=1,
                                                           last_used_at=at))


def _listing() -> Any:
    used = (select(api_key_uses.c.key_id, func.sum(api_key_uses.c.uses).label("uses"),
                   func.max(api_key_uses.c.last_used_at).label("last_used_at"))
            .group_by(api_key_uses.c.key_id).subquery())
    return (select(api_keys, used.c.uses, used.c.last_used_at)
            .outerjoin(used, used.c.key_id == api_keys.c.key_id))


def _view(r: Row[Any]) -> KeyView:
    def at(value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)

    return KeyView(key_id=r.key_id, school_id=r.school_id, name=r.name,
                   scopes=[Scope(s) for s in r.scopes.split()], created_by=r.created_by,
                   created_at=as_utc(r.created_at), expires_at=at(r.expires_at),
                   revoked_by=r.revoked_by, revoked_at=at(r.revoked_at),
                   last_used_at=at(r.last_used_at), uses=int(r.uses or 0))


async def view(db: Database, key_id: str) -> KeyView:
    async with db.read() as conn:
        found = (await conn.execute(_listing().where(api_keys.c.key_id == key_id))).first()
    if found is None:
        raise NotFound(f"no API key {key_id} at this school", field="key_id")
    return _view(found)


async def views(db: Database, school_id: str) -> list[KeyView]:
    async with db.read() as conn:
        rows = await conn.execute(_listing().where(api_keys.c.school_id == school_id)
                                  .order_by(api_keys.c.created_at))
        return [_view(r) for r in rows]
