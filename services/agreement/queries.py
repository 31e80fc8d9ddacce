"""Reads of the agreement projections, shaped as the contract's views."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.agreement.contracts import (
    HeldView,
    HistoryEntry,
    OutstandingView,
    RegisterEntry,
    RegisterFilter,
    TemplateView,
    VersionView,
)
from services.agreement.domain.assessment import Member
from services.agreement.domain.events import AccessStatus, Audience
from services.agreement.domain.rules import SUBJECT, SchoolRules
from services.agreement.people import guardians, people
from services.agreement.projections import access, held, history, templates, versions
from services.directory.domain.events import PersonKind
from shared.db import Database, as_utc
from shared.errors import NotFound


async def templates_of(db: Database, school_id: str) -> list[TemplateView]:
    async with db.read() as conn:
        found = list(await conn.execute(select(templates).where(
            templates.c.school_id == school_id).order_by(templates.c.audience)))
        rows = list(await conn.execute(
            select(versions).where(versions.c.school_id == school_id)
            .order_by(versions.c.template_id, versions.c.version)))
    by_template: dict[str, list[VersionView]] = defaultdict(list)
    for r in rows:
        by_template[r.template_id].append(_version(r._mapping, with_text=False))
    return [TemplateView(**t._mapping, versions=by_template[t.template_id]) for t in found]


async def version(db: Database, school_id: str, template_id: str, number: int) -> VersionView:
    async with db.read() as conn:
        row = (await conn.execute(select(versions).where(
            versions.c.template_id == template_id, versions.c.version == number,
            versions.c.school_id == school_id))).first()
    if row is None:
        raise NotFound(f"no version {number} of {template_id} at this school", field="version")
    return _version(row._mapping, with_text=True)


def _version(row: Any, *, with_text: bool) -> VersionView:
    return VersionView(**{k: v for k, v in row.items() if k not in ("text", "published_at")},
                       published_at=as_utc(row["published_at"]),
                       text=row["text"] if with_text else None)


async def members_of(db: Database, school_id: str,
                     person_ids: list[str] | None = None) -> dict[str, Member]:
    """The school's people as the deciders see them (all of them when no ids are given)."""
    where = [people.c.school_id == school_id]
    if person_ids is not None:
        where.append(people.c.person_id.in_(person_ids))
    async with db.read() as conn:
        rows = list(await conn.execute(select(people).where(and_(*where))))
        ids = [r.person_id for r in rows]
        links = list(await conn.execute(select(guardians).where(guardians.c.parent_id.in_(ids))))
    children: dict[str, set[str]] = defaultdict(set)
    for link in links:
        children[link.parent_id].add(link.pupil_id)
    return {r.person_id: Member(r.person_id, PersonKind(r.kind), r.left_on is not None,
                                frozenset(children[r.person_id])) for r in rows}


def _register_where(f: RegisterFilter) -> list[Any]:
    where = [people.c.school_id == f.school_id]
    if f.audience is not None:
        where.append(people.c.kind == SUBJECT[f.audience].value)
    if f.kind is not None:
        where.append(people.c.kind == f.kind.value)
    if f.year_group is not None:
        where.append(people.c.year_group == f.year_group)
    if f.class_name is not None:
        where.append(people.c.class_name == f.class_name)
    if not f.include_leavers:
        where.append(people.c.left_on.is_(None))
    if f.status is AccessStatus.NONE:
        where.append(access.c.status.is_(None))
    elif f.status is not None:
        where.append(access.c.status == f.status.value)
    return where


async def register(db: Database, f: RegisterFilter, *, limit: int | None = None,
                   offset: int = 0) -> list[RegisterEntry]:
    """The register in name order; a page of it when `limit` is given."""
    query = (select(people, access.c.status, access.c.reason, access.c.since, access.c.until)
             .outerjoin(access, access.c.person_id == people.c.person_id)
             .where(and_(*_register_where(f)))
             .order_by(people.c.family_name, people.c.given_name, people.c.person_id)
             .offset(offset).limit(limit))
    async with db.read() as conn:
        rows = list(await conn.execute(query))
        signed = await _held(conn, [r.person_id for r in rows])
    return [RegisterEntry(
        person_id=r.person_id, name=f"{r.given_name} {r.family_name}", kind=r.kind,
        year_group=r.year_group, class_name=r.class_name, left_on=r.left_on,
        status=r.status or AccessStatus.NONE, reason=r.reason,
        since=as_utc(r.since) if r.since else None, until=r.until,
        signed=signed[r.person_id]) for r in rows]


async def register_size(db: Database, f: RegisterFilter) -> int:
    query = (select(func.count()).select_from(people)
             .outerjoin(access, access.c.person_id == people.c.person_id)
             .where(and_(*_register_where(f))))
    async with db.read() as conn:
        return int((await conn.execute(query)).scalar_one())


async def _held(conn: AsyncConnection, ids: list[str]) -> dict[str, list[HeldView]]:
    found: dict[str, list[HeldView]] = defaultdict(list)
    for h in await conn.execute(select(held).where(held.c.person_id.in_(ids))
                                .order_by(held.c.audience)):
        found[h.person_id].append(HeldView(audience=h.audience, version=h.version,
                                           signed_on=h.signed_on))
    return found


async def outstanding(db: Database, school_id: str, rules: SchoolRules,
                      audience: Audience | None) -> list[OutstandingView]:
    """Who must sign (again): a required agreement never signed, or any agreement held at an
    older version than the latest published."""
    entries = await register(db, RegisterFilter(school_id=school_id, audience=audience))
    latest = {t.audience: t for t in await templates_of(db, school_id) if t.versions}
    due: list[OutstandingView] = []
    for e in entries:
        mine = {h.audience: h.version for h in e.signed}
        for aud in sorted(rules.required(e.kind) | mine.keys()):
            t = latest.get(aud)
            if t is None or (audience is not None and aud is not audience):
                continue
            newest = t.versions[-1].version
            if mine.get(aud, 0) < newest:
                due.append(OutstandingView(person_id=e.person_id, name=e.name, kind=e.kind,
                                           audience=aud, template_id=t.template_id,
                                           signed_version=mine.get(aud),
                                           latest_version=newest))
    return due


async def person_history(db: Database, school_id: str, person_id: str) -> list[HistoryEntry]:
    async with db.read() as conn:
        rows = list(await conn.execute(select(history).where(
            history.c.person_id == person_id, history.c.school_id == school_id)
            .order_by(history.c.at, history.c.seq)))
    return [HistoryEntry(**{k: v for k, v in r._mapping.items()
                            if k not in ("event_id", "person_id", "school_id", "at", "seq")},
                         at=as_utc(r.at)) for r in rows]


def as_csv(entries: list[RegisterEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["person_id", "name", "kind", "year_group", "class", "status", "since",
                     "until", "reason", "signed"])
    for e in entries:
        writer.writerow([_cell(e.person_id), _cell(e.name), e.kind.value, e.year_group,
                         _cell(e.class_name or ""),
                         e.status.value, e.since.isoformat() if e.since else "", e.until,
                         _cell(e.reason or ""), " ".join(f"{h.audience.value}:v{h.version}"
                                            for h in e.signed)])
    return out.getvalue()


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with one of these as a formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text
