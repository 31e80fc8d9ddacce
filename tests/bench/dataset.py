"""The load data set (issue 9): `captures` captures across `schools` schools, published straight
to JetStream as their services would have (three events per capture: received, triaged and,
for two in three, graded; the rest wait in the moderation queue), plus the schools themselves
and a few incidents per school. The issue's scale is 1,000,000 captures and 400 schools.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import nats

from services import SERVICES
from services.capture.domain import events as ce
from services.directory.domain.events import Phase, SchoolOnboarded
from services.incident.domain.events import IncidentReported, Source
from shared.events import Envelope, Event
from shared.streams import declare_service_streams, event_subject

LA = "la"
START = datetime(2026, 1, 1, tzinfo=UTC)
CATEGORIES = [c for c in ce.Category if c is not ce.Category.UNCLASSIFIED]
INCIDENTS_PER_SCHOOL = 25


def school_names(schools: int) -> list[str]:
    return [f"school-{i:03d}" for i in range(schools)]


def env(kind: str, agg: str, event: Event, school: str, at: datetime, version: int) -> Envelope:
    return Envelope.model_construct(
        event_id=uuid4(), type=event.type_name, schema_version=event.schema_version,
        school_id=school,
        aggregate_type=kind, aggregate_id=agg, aggregate_version=version, occurred_at=at,
        correlation_id=uuid4(), causation_id=None, payload=event.model_dump(mode="json"),
        trace={})


def capture_events(i: int, school: str, rng: random.Random) -> list[Envelope]:
    cid, at = f"c{i}", START + timedelta(seconds=rng.randrange(300 * 86400))
    out = [env("capture", cid, ce.CaptureReceived(
               capture_id=cid, school_id=school, la_id=LA, product="p", product_capture_id=cid,
               captured_at=at, machine="m", username="u"), school, at, 1),
           env("capture", cid, ce.CaptureTriaged(capture_id=cid, category=rng.choice(CATEGORIES),
                                              severity=rng.randint(1, 5),
                                              priority=ce.Priority.NORMAL), school, at, 2)]
    if i % 3:
        out.append(env("capture", cid, ce.CaptureModerated(
            capture_id=cid, grade=rng.choice(list(ce.Grade)), moderator="m"),
            school, at + timedelta(minutes=30), 3))
    return out


def incident(i: int, school: str, rng: random.Random) -> Envelope:
    iid, at = f"i{i}", START + timedelta(seconds=rng.randrange(300 * 86400))
    return env("incident", iid, IncidentReported(
        incident_id=iid, school_id=school, occurred_at=at, content_ref=None,
        came_to_light=Source.STAFF, reporter="bench"), school, at, 1)


async def publish(url: str, schools: int, captures: int) -> int:
    """Publish the data set; returns the number of events."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    for service in SERVICES:  # every stream a reader may wait for
        await declare_service_streams(js, service)
    names, rng, sent = school_names(schools), random.Random(6), 0

    async def send(service: str, envs: list[Envelope]) -> None:
        nonlocal sent
        await asyncio.gather(*[js.publish_async(event_subject(service, e),
                                                e.model_dump_json().encode()) for e in envs])
        sent += len(envs)

    await send("directory", [env("school", s, SchoolOnboarded(
        school_id=s, la_id=LA, name=s, urn="1", phase=Phase.PRIMARY), s, START, 1)
        for s in names])
    await send("incident", [incident(i, names[i % schools], rng)
                            for i in range(schools * INCIDENTS_PER_SCHOOL)])
    for start in range(0, captures, 2000):
        await send("capture", [e for i in range(start, min(start + 2000, captures))
                               for e in capture_events(i, names[i % schools], rng)])
    await nc.close()
    return sent
