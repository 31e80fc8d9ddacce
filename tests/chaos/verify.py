"""After the faults: compare what was sent, stored and applied, and every read model with a
fresh replay of the source events.

- lost: an acknowledged entry-point item with no event in its service's store, or an event a
  projection handles that it neither applied (no processed record) nor parked;
- applied twice: a reaction whose effect is in a store twice (two events of one type on one
  aggregate with the same cause); a read model that applied an event twice differs from its
  replay, which the checksums show;
- checksums: each projection's tables in the live database against the same tables rebuilt
  by `python -m services.<name> rebuild` in a copy of the database.
"""

from __future__ import annotations

import asyncio
import importlib
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.engine.url import make_url

from shared.checksum import TableSum, checksum
from shared.db import Database
from shared.projection import Projection
from shared.service import Service
from shared.settings import Settings
from shared.tables import dead_letters, events, processed_events
from tests.chaos.cluster import Cluster
from tests.chaos.load import Sent
from tests.support.procs import ROOT

# Entry-point item -> (service, event type, payload field naming it).
EVIDENCE = {"captures": ("capture", "CaptureReceived", "capture_id"),
            "grades": ("capture", "CaptureModerated", "capture_id"),
            "incidents": ("incident", "IncidentReported", "incident_id"),
            "people": ("directory", "PersonEnrolled", "person_id"),
            "signatures": ("agreement", "AgreementSigned", "person_id")}


@dataclass
class Store:
    """One service's events, as much as the checks need."""

    types: dict[UUID, str]
    named: dict[str, set[str]]  # event type -> the ids its EVIDENCE field names
    doubles: list[tuple[str, str, str]]


@dataclass
class ProjectionCheck:
    service: str
    name: str
    handled: int
    applied: int
    parked: int
    lost: int
    sums_equal: bool | None = None  # None: no tables (a reaction)
    detail: str = ""


@dataclass
class Verdict:
    stored: int = 0
    applied: int = 0
    lost_at_entry: dict[str, int] = field(default_factory=dict)
    projections: list[ProjectionCheck] = field(default_factory=list)
    twice: list[tuple[str, str, str]] = field(default_factory=list)
    parked: Counter[str] = field(default_factory=Counter)
    rebuild_appended: dict[str, int] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        return sum(self.lost_at_entry.values()) + sum(p.lost for p in self.projections)

    @property
    def sums_differ(self) -> list[str]:
        return [f"{p.service}/{p.name}" for p in self.projections if p.sums_equal is False]

    @property
    def ok(self) -> bool:
        return self.lost == 0 and not self.twice and not self.sums_differ


_PROJECTIONS: dict[str, list[Projection]] = {}


def projections_of(service: str, settings: Settings) -> list[Projection]:
    if service not in _PROJECTIONS:
        build = importlib.import_module(f"services.{service}.handlers").build
        _PROJECTIONS[service] = list(Service(service, build, settings).wiring.projections)
    return _PROJECTIONS[service]


async def read_store(db: Database, service: str) -> Store:
    async with db.read() as conn:
        types: dict[UUID, str] = {i: t for i, t in await conn.execute(
            select(events.c.event_id, events.c.type))}
        named: dict[str, set[str]] = {}
        for s, kind, name in EVIDENCE.values():
            if s == service:  # only these payloads: decoding every one is seconds a poll
                payloads = await conn.execute(select(events.c.payload)
                                              .where(events.c.type == kind))
                named[kind] = {p[name] for (p,) in payloads}
        doubles = await conn.execute(
            select(events.c.type, events.c.aggregate_id, events.c.causation_id)
            .where(events.c.causation_id.is_not(None))
            .group_by(events.c.type, events.c.aggregate_id, events.c.causation_id)
            .having(func.count() > 1))
        return Store(types, named, [(service, t, a) for t, a, _ in doubles])


async def check_projection(db: Database, service: str, projection: Projection,
                           stores: dict[str, Store], verdict: Verdict) -> ProjectionCheck:
    handled = {i for source in projection.sources if source in stores
               for i, t in stores[source].types.items() if t in projection.handles}
    async with db.read() as conn:
        applied = set((await conn.execute(select(processed_events.c.event_id).where(
            processed_events.c.consumer == projection.name))).scalars())
        parked = list(await conn.execute(select(dead_letters.c.event_id, dead_letters.c.reason)
                                         .where(dead_letters.c.consumer == projection.name)))
    for _, reason in parked:
        verdict.parked[f"{projection.name}: {reason[:160]}"] += 1
    parked_ids = {UUID(i) for i, _ in parked if i}
    lost = handled - applied - parked_ids
    return ProjectionCheck(service, projection.name, len(handled), len(applied & handled),
                           len(parked), len(lost))


def copy_database(url: str, to: Path) -> None:
    """A consistent copy of a SQLite database (its WAL included)."""
    source = make_url(url).database
    assert source, url
    to.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(to) as dst:
        src.backup(dst)


async def count_events(db: Database) -> int:
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(events))).scalar_one())


async def compare_with_replay(cluster: Cluster, service: str,
                              checks: Iterable[ProjectionCheck],
                              projections: list[Projection], verdict: Verdict) -> None:
    replay_dir = cluster.root / "replay"
    live = cluster.db(service)
    copy_database(live.url, replay_dir / f"{service}.db")
    fresh = Database(Settings(data_dir=replay_dir).database_url_for(service))
    before = await count_events(fresh)
    code = await asyncio.to_thread(
        subprocess.call, [sys.executable, "-m", f"services.{service}", "rebuild"], cwd=ROOT,
        env=_env(cluster, replay_dir), stdout=subprocess.DEVNULL,
        stderr=(cluster.root / "logs" / f"{service}-rebuild.log").open("ab"))
    if code != 0:
        raise RuntimeError(f"rebuild of {service} failed with {code}; see its log")
    verdict.rebuild_appended[service] = await count_events(fresh) - before
    by_name = {p.name: p for p in projections}
    for check in checks:
        metadata = by_name[check.name].metadata
        if not metadata.tables:
            continue
        ours, theirs = await checksum(live, metadata), await checksum(fresh, metadata)
        check.sums_equal = ours == theirs
        check.detail = ", ".join(_diff(ours, theirs)) if ours != theirs else _rows(ours)
    await live.dispose()
    await fresh.dispose()


def _env(cluster: Cluster, data: Path) -> dict[str, str]:
    import os

    return {**os.environ, **cluster.env(data)}


def _rows(sums: dict[str, TableSum]) -> str:
    return f"{sum(s.rows for s in sums.values())} rows"


def _diff(ours: dict[str, TableSum], theirs: dict[str, TableSum]) -> list[str]:
    return [f"{t}: live {ours[t].rows} rows, replay {theirs[t].rows}"
            for t in ours if ours[t] != theirs.get(t)]


async def pending(cluster: Cluster) -> int:
    """Events some projection handles and has not yet applied or parked (polled until 0)."""
    verdict = Verdict()
    await _projection_checks(cluster, verdict)
    return sum(p.lost for p in verdict.projections)


Found = tuple[dict[str, list[Projection]], dict[str, Store]]


async def _projection_checks(cluster: Cluster, verdict: Verdict) -> Found:
    stores: dict[str, Store] = {}
    for service in cluster.services:
        db = cluster.db(service)
        stores[service] = await read_store(db, service)
        await db.dispose()
    found: dict[str, list[Projection]] = {}
    for service in cluster.services:
        found[service] = projections_of(service, cluster.settings)
        db = cluster.db(service)
        for projection in found[service]:
            verdict.projections.append(
                await check_projection(db, service, projection, stores, verdict))
        await db.dispose()
    verdict.stored = sum(len(s.types) for s in stores.values())
    verdict.applied = sum(p.applied for p in verdict.projections)
    verdict.twice = [d for s in stores.values() for d in s.doubles]
    return found, stores


async def verify(cluster: Cluster, sent: Sent, replay: bool = True) -> Verdict:
    """Run with the services stopped and the broker up (the replay reads other services'
    events from JetStream, as a rebuild does)."""
    verdict = Verdict()
    found, stores = await _projection_checks(cluster, verdict)
    for kind, (service, kind_type, _) in EVIDENCE.items():
        stored = stores[service].named[kind_type] if service in stores else set()
        acknowledged: Iterable[str] = getattr(sent, kind)
        verdict.lost_at_entry[kind] = len(set(acknowledged) - stored)
    if replay:  # the rebuilds side by side: most of each is a process starting
        await asyncio.gather(*(compare_with_replay(
            cluster, service, [p for p in verdict.projections if p.service == service],
            found[service], verdict) for service in cluster.services))
    return verdict
