"""Reads of the directory projection, shaped as the contract's views."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.directory.contracts import (
    ClassView,
    Link,
    ListClasses,
    ListPeople,
    PeoplePage,
    PersonRef,
    PersonView,
    SchoolView,
    SessionState,
)
from services.directory.domain.events import PersonKind
from services.directory.projections import (
    class_teachers,
    classes,
    credentials,
    guardians,
    people,
    roles,
    schools,
)
from shared.claims import Claims, Role
from shared.db import Database, as_utc
from shared.errors import NotFound
from shared.passwords import verify_password


async def schools_of(db: Database, la_id: str) -> list[SchoolView]:
    async with db.read() as conn:
        rows = await conn.execute(select(schools).where(schools.c.la_id == la_id)
                                  .order_by(schools.c.name))
        return [SchoolView.model_validate(r._mapping) for r in rows]


async def school(db: Database, school_id: str) -> SchoolView:
    async with db.read() as conn:
        row = (await conn.execute(select(schools).where(schools.c.school_id == school_id))).first()
    if row is None:
        raise NotFound(f"no school {school_id}", field="school_id")
    return SchoolView.model_validate(row._mapping)


async def people_page(db: Database, q: ListPeople) -> PeoplePage:
    where = [people.c.school_id == q.school_id]
    if q.kind:
        where.append(people.c.kind == q.kind.value)
    if q.year_group is not None:
        where.append(people.c.year_group == q.year_group)
    if not q.include_leavers:
        where.append(people.c.left_on.is_(None))
    if q.role:
        where.append(people.c.person_id.in_(
            select(roles.c.person_id).where(roles.c.role == q.role.value)))
    if q.search:
        term = f"%{q.search.lower()}%"
        where.append(or_(func.lower(people.c.given_name).like(term),
                         func.lower(people.c.family_name).like(term)))
    async with db.read() as conn:
        total = (await conn.execute(select(func.count()).select_from(people)
                                    .where(and_(*where)))).scalar_one()
        rows = list(await conn.execute(
            select(people).where(and_(*where))
            .order_by(people.c.family_name, people.c.given_name, people.c.person_id)
            .offset(q.offset).limit(q.limit)))
        items = await _views(conn, rows)
    return PeoplePage(items=items, total=total, offset=q.offset, limit=q.limit)


async def person(db: Database, school_id: str, person_id: str) -> PersonView:
    async with db.read() as conn:
        rows = list(await conn.execute(select(people).where(
            people.c.person_id == person_id, people.c.school_id == school_id)))
        if not rows:
            raise NotFound(f"no person {person_id} at this school", field="person_id")
        return (await _views(conn, rows))[0]


async def _views(conn: AsyncConnection, rows: Sequence[Row[Any]]) -> list[PersonView]:
    """One query each for roles and guardian links of the whole page (no N+1)."""
    ids = [r.person_id for r in rows]
    role_map: dict[str, list[Role]] = defaultdict(list)
    for r in await conn.execute(select(roles).where(roles.c.person_id.in_(ids))
                                .order_by(roles.c.role)):
        role_map[r.person_id].append(Role(r.role))
    g_map: dict[str, list[Link]] = defaultdict(list)
    c_map: dict[str, list[Link]] = defaultdict(list)
    parent, pupil = people.alias("parent"), people.alias("pupil")
    links = (select(guardians, parent.c.given_name.label("pg"), parent.c.family_name.label("pf"),
                    pupil.c.given_name.label("cg"), pupil.c.family_name.label("cf"))
             .join(parent, parent.c.person_id == guardians.c.parent_id)
             .join(pupil, pupil.c.person_id == guardians.c.pupil_id)
             .where(or_(guardians.c.parent_id.in_(ids), guardians.c.pupil_id.in_(ids))))
    for g in await conn.execute(links):
        g_map[g.pupil_id].append(Link(person_id=g.parent_id, name=f"{g.pg} {g.pf}",
                                      relationship=g.relationship,
                                      parental_responsibility=g.parental_responsibility))
        c_map[g.parent_id].append(Link(person_id=g.pupil_id, name=f"{g.cg} {g.cf}",
                                       relationship=g.relationship,
                                       parental_responsibility=g.parental_responsibility))
    return [
        PersonView(
            **{k: v for k, v in r._mapping.items() if k != "enrolled_at"},
            enrolled_at=as_utc(r.enrolled_at), roles=role_map[r.person_id],
            guardians=g_map[r.person_id], children=c_map[r.person_id],
        )
        for r in rows
    ]


async def authenticate(db: Database, username: str, password: str) -> Claims | None:
    async with db.read() as conn:
        row = (await conn.execute(
            select(people, credentials.c.password_hash)
            .join(credentials, credentials.c.person_id == people.c.person_id)
            .where(credentials.c.username == username))).first()
        granted = [] if row is None else list((await conn.execute(
            select(roles.c.role).where(roles.c.person_id == row.person_id))).scalars())
        la_id = None if row is None else (await conn.execute(
            select(schools.c.la_id).where(schools.c.school_id == row.school_id))).scalar()
    ok = await verify_password(row.password_hash if row else None, password)
    if row is None or not ok or row.left_on is not None:
        return None
    return Claims(subject=row.person_id, name=f"{row.given_name} {row.family_name}",
                  school_id=row.school_id, la_id=la_id or row.school_id,
                  roles=frozenset(Role(r) for r in granted))


async def session(db: Database, person_id: str) -> SessionState:
    async with db.read() as conn:
        row = (await conn.execute(
            select(people.c.left_on)
            .join(credentials, credentials.c.person_id == people.c.person_id)
            .where(people.c.person_id == person_id))).first()
        granted = list((await conn.execute(
            select(roles.c.role).where(roles.c.person_id == person_id))).scalars())
    if row is None or row.left_on is not None:
        return SessionState(active=False)
    return SessionState(active=True, roles=frozenset(Role(r) for r in granted))


async def classes_of(db: Database, q: ListClasses) -> list[ClassView]:
    where = [classes.c.school_id == q.school_id]
    if not q.include_closed:
        where.append(classes.c.closed.is_(False))
    pupils = (select(func.count()).select_from(people).where(
        people.c.school_id == classes.c.school_id, people.c.class_name == classes.c.name,
        people.c.kind == PersonKind.PUPIL.value, people.c.left_on.is_(None))
        .scalar_subquery())
    async with db.read() as conn:
        rows = list(await conn.execute(select(classes, pupils.label("pupils"))
                                       .where(and_(*where))
                                       .order_by(classes.c.year_group, classes.c.name)))
        teachers = list(await conn.execute(
            select(class_teachers.c.class_id, people.c.person_id, people.c.given_name,
                   people.c.family_name)
            .join(people, people.c.person_id == class_teachers.c.person_id)
            .where(class_teachers.c.class_id.in_([r.class_id for r in rows]))
            .order_by(people.c.family_name, people.c.given_name)))
    by_class: dict[str, list[PersonRef]] = defaultdict(list)
    for t in teachers:
        by_class[t.class_id].append(PersonRef(person_id=t.person_id,
                                              name=f"{t.given_name} {t.family_name}"))
    return [ClassView(**r._mapping, teachers=by_class[r.class_id]) for r in rows]
