"""The compliance service's audit trail against SQLite and PostgreSQL: views from every
service land once, the table refuses UPDATE and DELETE after the migration and after a
rebuild, and the queries filter by person, record, viewer and time, school by school."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.capture.domain.events import ScreenshotViewed
from services.compliance.audit_contracts import AuditTrail
from services.compliance.audit_trail import AuditTrailProjection, page
from services.compliance.handlers import build
from services.compliance.projections import Schools
from services.directory.domain.events import SchoolOnboarded
from shared.audit import RecordKind, viewed
from shared.claims import Claims, Origin, Role
from shared.events import Envelope, Event
from shared.migrate import upgrade
from shared.projection import apply_new, rebuild
from shared.registry import registry
from shared.service import Service
from shared.settings import Settings

LA = "shire"
T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
DSL_A = Claims(subject="a-dsl", name="Dee Esel", school_id="oak", la_id=LA,
               roles=frozenset({Role.DSL}), origin=Origin(ip="10.0.0.7", user_agent="Firefox"))
LA_ADMIN = Claims(subject="la-admin", school_id=LA, la_id=LA, roles=frozenset({Role.LA_ADMIN}))


def envelope(event: Event, school_id: str, at: datetime) -> Envelope:
    return Envelope(event_id=uuid4(), type=event.type_name, schema_version=1,
                    school_id=school_id, aggregate_type="record-view",
                    aggregate_id=uuid4().hex, aggregate_version=1, occurred_at=at,
                    correlation_id=uuid4(), payload=event.model_dump(mode="json"))


EVENTS = [
    envelope(SchoolOnboarded(school_id="oak", la_id=LA, name="Oak", urn="1", phase="primary"),
             "oak", T0),
    envelope(SchoolOnboarded(school_id="elm", la_id=LA, name="Elm", urn="2", phase="primary"),
             "elm", T0),
    envelope(viewed(DSL_A, RecordKind.INCIDENT, "inc-1", ["p1", "p2"], "GetIncident"),
             "oak", T0),
    envelope(viewed(DSL_A, RecordKind.PERSON_HISTORY, "p1", ["p1"], "GetHistory"), "oak",
             T0 + timedelta(hours=1)),
    envelope(viewed(LA_ADMIN, RecordKind.SCREENSHOT, "cap-9", ["e1"], "ViewScreenshot"),
             "elm", T0 + timedelta(hours=2)),
    envelope(ScreenshotViewed(capture_id="cap-old", viewer="a-dsl", viewer_name="Dee Esel",
                              viewer_school="oak", roles=["dsl"]), "oak",
             T0 + timedelta(hours=3)),
]


@pytest.fixture
async def compliance(db_url: str, tmp_path: Path) -> AsyncIterator[Service]:
    service = Service("compliance", build, Settings(database_url=db_url, data_dir=tmp_path))
    await upgrade(service)  # the migration's triggers
    try:
        yield service
    finally:
        await service.db.dispose()


async def feed(service: Service) -> None:
    for projection in (Schools(), AuditTrailProjection()):
        async with service.db.begin() as conn:
            batch = [(e, registry.decode(e)) for e in EVENTS if e.type in projection.handles]
            await apply_new(conn, projection, batch + batch)  # a redelivery counts once


async def refuses_changes(service: Service) -> None:
    for statement in ("UPDATE audit_trail SET viewer = 'someone else'",
                      "DELETE FROM audit_trail", "DELETE FROM audit_subjects"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with service.db.begin() as conn:
                await conn.execute(text(statement))
    async with service.db.read() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM audit_trail"))).scalar_one() == 4


async def test_the_trail_is_append_only_after_migration_and_rebuild(
        compliance: Service) -> None:
    await feed(compliance)
    await refuses_changes(compliance)

    async def source() -> AsyncIterator[list[Envelope]]:
        yield EVENTS

    await rebuild(compliance.db, AuditTrailProjection(), registry, source(), len(EVENTS))
    await refuses_changes(compliance)  # the triggers come back with the tables


async def test_queries_by_person_record_viewer_time_and_school(compliance: Service) -> None:
    await feed(compliance)
    db = compliance.db

    async def ids(caller: Claims, **filters: object) -> list[str]:
        found = await page(db, AuditTrail.model_validate(filters), caller)
        assert found.total == len(found.items)
        return [e.record_id for e in found.items]

    assert await ids(DSL_A, school_id="oak") == ["cap-old", "p1", "inc-1"]  # newest first
    assert await ids(DSL_A, school_id="oak", person_id="p2") == ["inc-1"]
    assert await ids(DSL_A, school_id="oak", kind="screenshot") == ["cap-old"]
    assert await ids(DSL_A, school_id="oak", record_id="inc-1") == ["inc-1"]
    assert await ids(DSL_A, school_id="oak", viewer="la-admin") == []
    assert await ids(DSL_A, school_id="oak", since=T0 + timedelta(minutes=30),
                     until=T0 + timedelta(hours=3)) == ["p1"]
    assert await ids(LA_ADMIN) == ["cap-old", "cap-9", "p1", "inc-1"]  # every school of the LA
    assert await ids(LA_ADMIN.model_copy(update={"la_id": "elsewhere"})) == []
    [entry] = (await page(db, AuditTrail(school_id="oak", record_id="inc-1"), DSL_A)).items
    assert (entry.viewer, entry.ip, entry.user_agent, entry.subjects) == (
        "a-dsl", "10.0.0.7", "Firefox", ["p1", "p2"])
    paged = await page(db, AuditTrail(school_id="oak", offset=1, limit=1), DSL_A)
    assert (paged.total, [e.record_id for e in paged.items]) == (3, ["p1"])
