"""The gauges move with the data: the kit's outbox backlog and dead letters (every service),
and capture's moderation queue and unacknowledged alerts, read through OpenTelemetry with an
in-memory metric reader."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from opentelemetry import metrics
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy import select, update

from services.capture.handlers import build as build_capture
from services.directory.handlers import build as build_directory
from shared.migrate import upgrade
from shared.natsserver import NatsServer
from shared.relay import OutboxRelay
from shared.rpc import RpcClient
from shared.service import Service
from shared.streams import declare_service_streams
from shared.tables import outbox
from shared.telemetry import meter_provider
from tests.integration.test_capture_alerts import Env, seed_directory
from tests.integration.test_capture_service import (
    ADMIN,
    DSL_A,
    KEY_A,
    MOD1,
    PHRASES,
    PNG,
    A,
    Clock,
    item,
)
from tests.support import tally
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually

Values = dict[tuple[tuple[str, str], ...], float]


@pytest.fixture
def reader() -> Iterator[InMemoryMetricReader]:
    provider = meter_provider()
    assert metrics.get_meter_provider() is provider  # the global one the kit's meters use
    reader = InMemoryMetricReader()
    provider.add_metric_reader(reader)
    yield reader
    provider.remove_metric_reader(reader)


def gauge(reader: InMemoryMetricReader, name: str, service: str) -> Values:
    """The gauge's current values for one service, by their other attributes."""
    data = reader.get_metrics_data()
    found: Values = {}
    for rm in data.resource_metrics if data else ():
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                if metric.name != name:
                    continue
                for point in metric.data.data_points:
                    attrs = dict(point.attributes or {})
                    if attrs.pop("service") == service:
                        found[tuple(sorted((k, str(v)) for k, v in attrs.items()))] = float(
                            point.value)  # type: ignore[union-attr]
    return found


async def test_outbox_backlog_follows_the_relay(
        fresh_nats: NatsServer, tmp_path: Path, reader: InMemoryMetricReader) -> None:
    svc = Service("tally", tally.build, settings_for(fresh_nats.url, tmp_path))
    await upgrade(svc)  # not started: no relay runs until the test publishes
    nc = await nats.connect(fresh_nats.url)
    try:
        await svc.sample_gauges()
        assert gauge(reader, "esafety.outbox.backlog", "tally") == {(): 0.0}
        assert gauge(reader, "esafety.outbox.oldest_age", "tally") == {(): 0.0}

        await tally.append_tallies(svc.kit.store, "t1", 3)
        await svc.sample_gauges()
        assert gauge(reader, "esafety.outbox.backlog", "tally") == {(): 3.0}
        assert gauge(reader, "esafety.outbox.oldest_age", "tally")[()] > 0

        js = nc.jetstream()
        await declare_service_streams(js, "tally")
        relay = OutboxRelay("tally", svc.db, svc.kit.store, js)
        assert await relay.publish_pending() == 3
        await relay.flush()  # marks what JetStream acknowledged
        await svc.sample_gauges()
        assert gauge(reader, "esafety.outbox.backlog", "tally") == {(): 0.0}
        assert gauge(reader, "esafety.outbox.oldest_age", "tally") == {(): 0.0}
    finally:
        await nc.close()
        await svc.db.dispose()


async def test_dead_letters_count_parked_messages(
        fresh_nats: NatsServer, tmp_path: Path, reader: InMemoryMetricReader) -> None:
    async with running("tally", tally.build, settings_for(fresh_nats.url, tmp_path)) as svc:
        [runner] = svc.runners
        runner.max_deliver = 1  # park on the first failure (the backoff is tested elsewhere)
        await svc.sample_gauges()
        assert gauge(reader, "esafety.deadletters", "tally") == {}
        await tally.append_tallies(svc.kit.store, "t1", 2)
        await tally.append_tallies(svc.kit.store, "t2", 1, note="poison")

        async def parked() -> Values:
            await svc.sample_gauges()
            return gauge(reader, "esafety.deadletters", "tally")

        await eventually(parked, lambda g: g == {(("consumer", "tally-view"),): 1.0})


@pytest.fixture
async def env(fresh_nats: NatsServer, sqlite_url: str, tmp_path: Path) -> AsyncIterator[Env]:
    clock = Clock()
    async with running("directory", build_directory,
                       settings_for(fresh_nats.url, tmp_path / "dir")), \
            running("capture", lambda kit: build_capture(kit, clock=clock),
                    settings_for(fresh_nats.url, tmp_path / "cap", sqlite_url)) as capture:
        nc = await nats.connect(fresh_nats.url)
        try:
            e = Env(capture, RpcClient(nc), clock)
            await e.call("AddLibraryPhrases", ADMIN, phrases=PHRASES)
            await seed_directory(e.rpc)
            await eventually(lambda: e.applied("capture-staff"), lambda n: n == 8)
            yield e
        finally:
            await nc.close()


async def test_moderation_queue_and_unacknowledged_alerts(
        env: Env, reader: InMemoryMetricReader) -> None:
    capture: Service = env.capture

    async def sample(name: str) -> Values:
        await capture.sample_gauges()
        return gauge(reader, name, "capture")

    assert await sample("esafety.moderation.queue") == {(): 0.0}
    assert await sample("esafety.alerts.unacknowledged") == {
        (("urgent", "true"),): 0.0, (("urgent", "false"),): 0.0}
    await env.call("IngestCaptures", KEY_A, school_id=A, captures=[
        item(pid, screenshot=base64.b64encode(PNG).decode()) for pid in ("m1", "m2")])
    await eventually(lambda: sample("esafety.moderation.queue"), lambda g: g == {(): 2.0})
    assert (await sample("esafety.moderation.oldest_age"))[()] > 0  # received by the test clock

    cid = await env.urgent_capture("m3")  # a third, graded urgent: raises an alert
    await eventually(lambda: sample("esafety.alerts.unacknowledged"),
                     lambda g: g[(("urgent", "true"),)] == 1.0)
    assert await sample("esafety.moderation.queue") == {(): 2.0}
    [alert] = await env.alerts()
    assert alert["capture_id"] == cid
    await env.call("AcknowledgeAlert", DSL_A, school_id=A, alert_id=alert["alert_id"])
    await eventually(lambda: sample("esafety.alerts.unacknowledged"),
                     lambda g: g[(("urgent", "true"),)] == 0.0)
    queue = await env.call("ListQueue", MOD1)  # the moderators' own view agrees
    assert float(queue["total"]) == (await sample("esafety.moderation.queue"))[()] == 2.0


async def test_the_relay_publishes_on_while_its_marks_wait_for_the_write_lock(
        fresh_nats: NatsServer, tmp_path: Path) -> None:
    """Given events published and due to be marked, and a bulk write holding SQLite's lock,
    the relay does not wait for its marks: when a command's event is stored, the relay
    publishes it though its marks may still be queued (an urgent alert used to wait behind
    the relay's own marks, themselves behind the ingest batches)."""
    svc = Service("tally", tally.build, settings_for(fresh_nats.url, tmp_path))
    await upgrade(svc)
    nc = await nats.connect(fresh_nats.url)
    try:
        js = nc.jetstream()
        await declare_service_streams(js, "tally")
        relay = OutboxRelay("tally", svc.db, svc.kit.store, js, flush_every=0.0)
        await tally.append_tallies(svc.kit.store, "t1", 3)
        assert await relay.publish_pending() == 3
        release, holding = asyncio.Event(), asyncio.Event()

        async def bulk_write() -> None:
            async with svc.db.begin():
                holding.set()
                await release.wait()

        bulk = asyncio.create_task(bulk_write())
        await holding.wait()
        assert await relay.publish_pending() == 0  # nothing new: the marks queue, it returns
        command = asyncio.create_task(tally.append_tallies(svc.kit.store, "t2", 1))
        release.set()
        await bulk
        await command
        assert await relay.publish_pending() == 1  # published though not yet all marked
        await relay.recover()  # waits for the marks under way
        assert relay.published_total == 4
    finally:
        await nc.close()
        await svc.db.dispose()


async def test_the_relay_counts_only_the_acknowledged_prefix_of_a_batch(
        fresh_nats: NatsServer, tmp_path: Path) -> None:
    """Given a batch whose second message goes to a subject no stream stores, when the relay
    publishes it, then only the first counts as stored: the rest is sent again, in order."""
    svc = Service("tally", tally.build, settings_for(fresh_nats.url, tmp_path))
    await upgrade(svc)
    nc = await nats.connect(fresh_nats.url)
    try:
        js = nc.jetstream()
        await declare_service_streams(js, "tally")
        await tally.append_tallies(svc.kit.store, "t1", 3)
        async with svc.db.begin() as conn:  # the second event's subject: no stream has it
            second = (await conn.execute(select(outbox.c.id).order_by(outbox.c.id))).all()[1].id
            await conn.execute(update(outbox).where(outbox.c.id == second)
                               .values(subject="nowhere.tally"))
        relay = OutboxRelay("tally", svc.db, svc.kit.store, js, ack_timeout=5.0)
        with pytest.raises(RuntimeError, match="2 of 3 publishes were not acknowledged"):
            await relay.publish_pending()
        assert relay.published_total == 1
        with pytest.raises(RuntimeError, match="2 of 2"):  # from the failed one again
            await relay.publish_pending()
        assert relay.published_total == 1
    finally:
        await nc.close()
        await svc.db.dispose()
