"""Old stored events still load: GuardianLinked v1 envelopes, exactly as the v1 code stored
them (tests/fixtures/directory_events_v1.json), read through the event store, the decider and
a projection rebuild, come out as v2 (parental responsibility: True, their old meaning)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import insert

from services.directory import queries
from services.directory.domain.commands import LinkGuardian
from services.directory.domain.events import GuardianLinked, GuardianLinkedV1
from services.directory.domain.person import person
from services.directory.handlers import build
from services.directory.projections import DirectoryView
from shared.contracts_export import contracts
from shared.events import Envelope, Metadata
from shared.eventstore import _row
from shared.migrate import upgrade
from shared.projection import rebuild
from shared.registry import registry
from shared.service import Service
from shared.settings import Settings
from shared.tables import events

FIXTURE = Path(__file__).parents[1] / "fixtures" / "directory_events_v1.json"
STORED = [Envelope.model_validate(e) for e in json.loads(FIXTURE.read_text())]
SCHOOL = "oakridge"


@pytest.fixture
async def directory(db_url: str, tmp_path: Path) -> AsyncIterator[Service]:
    """The directory's database at the current migration, holding the v1 events as stored."""
    svc = Service("directory", build, Settings(data_dir=tmp_path, database_url=db_url))
    await upgrade(svc)
    async with svc.db.begin() as conn:
        await conn.execute(insert(events), [_row(env) for env in STORED])
    try:
        yield svc
    finally:
        await svc.db.dispose()


def test_the_fixture_is_version_one() -> None:
    links = [e for e in STORED if e.type == "GuardianLinked"]
    assert links and {e.schema_version for e in links} == {1}
    for env in links:  # v1 payloads, and not valid v2 ones without the upcaster
        GuardianLinkedV1.model_validate(env.payload)
        assert "parental_responsibility" not in env.payload


async def test_the_event_store_loads_v1_as_v2(directory: Service) -> None:
    stored = await directory.kit.store.load("person", "g-nan")
    assert [e.schema_version for e in stored] == [1, 1]  # stored bytes are never rewritten
    linked = registry.decode(stored[-1])
    assert linked == GuardianLinked(person_id="g-nan", pupil_id="p-ava",
                                    relationship="grandmother", parental_responsibility=True)


async def test_the_decider_folds_old_and_new_versions(directory: Service) -> None:
    bus = directory.kit.bus
    state, version = await bus.load(person, "g-ravi")
    assert state.guardian_of == {"p-ava"} and version == 2
    # Linking again is a no-op because the old event counts; a new link is stored as v2.
    again = LinkGuardian(school_id=SCHOOL, person_id="g-ravi", pupil_id="p-ava")
    assert (await bus.execute(person, "g-ravi", again, Metadata(school_id=SCHOOL))).envelopes == []
    await bus.execute(person, "g-nan", LinkGuardian(
        school_id=SCHOOL, person_id="g-nan", pupil_id="p-new", relationship="grandmother",
        parental_responsibility=False), Metadata(school_id=SCHOOL))
    mixed = await directory.kit.store.load("person", "g-nan")
    assert [e.schema_version for e in mixed] == [1, 1, 2]
    assert [registry.decode(e).parental_responsibility for e in mixed[1:]  # type: ignore[attr-defined]
            ] == [True, False]


async def test_a_projection_rebuilt_from_v1_events_has_the_v2_shape(directory: Service) -> None:
    view = DirectoryView()
    total = await directory.kit.store.count(sorted(view.handles))
    applied = await rebuild(directory.db, view, registry,
                            directory.kit.store.read_all(types=sorted(view.handles)), total)
    assert applied == len(STORED) == total
    ava = await queries.person(directory.db, SCHOOL, "p-ava")
    assert {(g.person_id, g.relationship, g.parental_responsibility) for g in ava.guardians} == {
        ("g-ravi", "father", True), ("g-nan", "grandmother", True)}


def test_schemas_publish_both_versions() -> None:
    files = contracts()
    v1 = json.loads(files[Path("events/GuardianLinked.v1.json")])
    v2 = json.loads(files[Path("events/GuardianLinked.v2.json")])
    assert (v1["x-schema-version"], v2["x-schema-version"]) == (1, 2)
    assert v1["title"] == v2["title"] == "GuardianLinked"
    assert "parental_responsibility" not in v1["properties"]
    assert "parental_responsibility" in v2["required"]
