"""Who a capture's username is: the identifiers the directory's events give each person of a
school (login username, MIS id, email and its local part), and the resolution of captures to
them. A projection of the directory's events (never its database), separate from `Staff` so
that on upgrade it replays the directory's history from the start.

A capture stays unresolved (person_id NULL) when no one, or more than one person, of its
school carries its username; a later roster that adds the identifier resolves it then.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    Column,
    Index,
    MetaData,
    String,
    Table,
    and_,
    column,
    delete,
    func,
    insert,
    select,
    table,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.directory.domain.events import AccountOpened, PersonDetailsChanged, PersonEnrolled
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

identifiers = Table(
    "person_identifiers", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("identifier", String(320), primary_key=True),
    Column("person_id", String(64), primary_key=True),
    Column("source", String(20), primary_key=True),  # login | mis | email
    Index("ix_person_identifiers_person", "person_id"),
)


# The queue's table (services/capture/projections.py), named here to avoid an import cycle.
captures = table("captures", column("school_id"), column("user_key"), column("person_id"))


def user_key(username: str) -> str:
    """A product's username as we match it: case-insensitive, without a Windows domain."""
    return username.rsplit("\\", 1)[-1].strip().lower()


def email_keys(email: str | None) -> list[str]:
    if not email or "@" not in email:
        return []
    email = email.strip().lower()
    return [email, email.split("@", 1)[0]]


class CapturePeople(Projection):
    name = "capture-people"
    sources = ("directory",)
    handles = frozenset(e.type_name for e in (PersonEnrolled, PersonDetailsChanged,
                                               AccountOpened))
    metadata: ClassVar[MetaData] = metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        school = env.school_id
        match event:
            case PersonEnrolled(person_id=pid):
                keys = [("mis", k) for k in [(event.mis_id or "").strip().lower()] if k]
                await self._add(conn, school, pid,
                                keys + [("email", k) for k in email_keys(event.email)])
            case PersonDetailsChanged(person_id=pid):
                # The old address no longer names them; captures resolved by it stay resolved.
                await conn.execute(delete(identifiers).where(
                    identifiers.c.person_id == pid, identifiers.c.source == "email"))
                await self._add(conn, school, pid,
                                [("email", k) for k in email_keys(event.email)])
            case AccountOpened(person_id=pid, username=username):
                await self._add(conn, school, pid, [("login", user_key(username))])

    async def _add(self, conn: AsyncConnection, school: str, pid: str,
                   keys: list[tuple[str, str]]) -> None:
        for source, key in dict.fromkeys(keys):
            await conn.execute(delete(identifiers).where(
                identifiers.c.school_id == school, identifiers.c.identifier == key,
                identifiers.c.person_id == pid, identifiers.c.source == source))
            await conn.execute(insert(identifiers).values(
                school_id=school, identifier=key, person_id=pid, source=source))
            await resolve_earlier(conn, school, key)


async def person_for(conn: AsyncConnection, school_id: str, key: str) -> str | None:
    """The one person of `school_id` that `key` names, or None (no one, or ambiguous)."""
    found = set((await conn.execute(select(identifiers.c.person_id).where(
        identifiers.c.school_id == school_id, identifiers.c.identifier == key))).scalars())
    return found.pop() if len(found) == 1 else None


async def resolve_earlier(conn: AsyncConnection, school_id: str, key: str) -> None:
    """Captures already received under `key`, unresolved until now, get their person."""
    pid = await person_for(conn, school_id, key)
    if pid is not None:
        await conn.execute(update(captures).where(and_(
            captures.c.school_id == school_id, captures.c.user_key == key,
            captures.c.person_id.is_(None))).values(person_id=pid))


async def resolve_many(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Fill `person_id` of new capture rows (one query per batch, not per row)."""
    keys = {(str(r["school_id"]), str(r["user_key"])) for r in rows}
    if not keys:
        return
    schools = {s for s, _ in keys}
    found = await conn.execute(
        select(identifiers.c.school_id, identifiers.c.identifier,
               func.min(identifiers.c.person_id).label("person_id"),
               func.count(func.distinct(identifiers.c.person_id)).label("n"))
        .where(identifiers.c.school_id.in_(schools),
               identifiers.c.identifier.in_({k for _, k in keys}))
        .group_by(identifiers.c.school_id, identifiers.c.identifier))
    people = {(r.school_id, r.identifier): r.person_id for r in found if r.n == 1}
    for r in rows:
        r["person_id"] = people.get((str(r["school_id"]), str(r["user_key"])))
