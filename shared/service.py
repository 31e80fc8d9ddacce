"""The runtime every service shares: database, event store, relay, consumers, RPC.

A service module only declares what is its own (`build(kit) -> Wiring`): its RPC handlers
and its projections. `Service(...).main()` does the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import io
import logging
import signal
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import nats
from faststream.nats import NatsBroker
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from pydantic import BaseModel
from sqlalchemy import MetaData, func, select, text

from shared.consumer import ProjectionRunner, durable_name, strays
from shared.db import Database
from shared.decider import CommandBus
from shared.events import stop_if_cancelled
from shared.eventstore import EventStore
from shared.gauges import Gauge, Gauges
from shared.healthcheck import heartbeat_file, write_heartbeat
from shared.migrate import upgrade
from shared.projection import Projection, catch_up, log_progress, rebuild
from shared.registry import EventRegistry, registry
from shared.relay import KIT_GAUGES, OutboxRelay
from shared.replay import chain, count_jetstream, replay_jetstream
from shared.rpc import RpcRouter
from shared.settings import Settings
from shared.streams import declare_service_streams, events_stream
from shared.tables import dead_letters, outbox
from shared.telemetry import instrument_engine, setup_logging, setup_tracing

log = logging.getLogger(__name__)

TASK_STOP_SECONDS = 4.0  # a cancelled task's time to finish before it is reported stuck
DUMP_STACKS_AFTER = 7.0  # still running this long after SIGTERM: every thread's stack to stderr


class HealthQuery(BaseModel):
    pass


@dataclass
class Kit:
    """What a service's handlers get: its own database, store and command bus."""

    service: str
    settings: Settings
    db: Database
    store: EventStore
    bus: CommandBus
    registry: EventRegistry


@dataclass
class Wiring:
    rpc: RpcRouter
    projections: Sequence[Projection] = ()
    tables: Sequence[MetaData] = ()
    # Long-running jobs of the service (timers): started with it, cancelled when it stops.
    tasks: Sequence[Callable[[], Coroutine[Any, Any, None]]] = ()
    # Observable gauges read from the service's database (the kit adds its outbox ones).
    gauges: Sequence[Gauge] = ()


@dataclass
class Service:
    name: str
    build: Callable[[Kit], Wiring]
    settings: Settings = field(default_factory=Settings)

    def __post_init__(self) -> None:
        self.tracer_provider = setup_tracing(self.name, self.settings)
        self.db = Database(self.settings.database_url_for(self.name))
        instrument_engine(self.db.engine, self.tracer_provider)
        store = EventStore(self.db, self.name)
        self.kit = Kit(self.name, self.settings, self.db, store, CommandBus(store, registry),
                       registry)
        self.wiring = self.build(self.kit)
        store.inline = [p for p in self.wiring.projections if p.inline]
        for p in store.inline:
            assert p.sources == (self.name,), f"inline {p.name} must read only {self.name}"
        tracer = self.tracer_provider.get_tracer("shared.consumer")
        self.runners = [ProjectionRunner(self.name, p, self.db, registry,
                                         ack_wait=self.settings.ack_wait_seconds,
                                         committed=store.appended, tracer=tracer)
                        for p in self.wiring.projections if not p.inline]
        # What none of them reads on our own stream (kept apart: not a read model).
        self.strays = ProjectionRunner(self.name, strays(self.name), self.db, registry,
                                       ack_wait=self.settings.ack_wait_seconds, tracer=tracer)
        self.gauges = Gauges(self.name, [*KIT_GAUGES, *self.wiring.gauges])
        self._add_health_route()
        self.nc: Client | None = None
        self.broker: NatsBroker | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await upgrade(self)
        self.nc = await nats.connect(self.settings.nats_url, reconnected_cb=self._reconnected,
                                     max_reconnect_attempts=-1, name=f"{self.name}-relay")
        js = self.nc.jetstream()
        await declare_service_streams(js, self.name, replicas=self.settings.stream_replicas)
        await self._adopt_inline(js)  # before any command can append
        self.relay = OutboxRelay(self.name, self.db, self.kit.store, js)
        for runner in (*self.runners, self.strays):
            runner.js = js
        self.broker = self._broker()
        await self.broker.start()
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        for runner in (*self.runners, self.strays):
            self._tasks.extend(runner.tasks())
        self._tasks.append(asyncio.create_task(self._heartbeat(), name=f"{self.name}-heartbeat"))
        for job in self.wiring.tasks:
            self._tasks.append(asyncio.create_task(job(), name=f"{self.name}-{job.__name__}"))
        log.info("%s service started", self.name)

    def _broker(self) -> NatsBroker:
        """faststream serves the service's commands and queries (request-reply)."""
        telemetry = NatsTelemetryMiddleware(tracer_provider=self.tracer_provider)
        broker = NatsBroker(self.settings.nats_url, log_level=logging.DEBUG,
                            middlewares=[telemetry], max_reconnect_attempts=-1)
        self.wiring.rpc.subscribe(broker)
        return broker

    async def _heartbeat(self) -> None:
        path = heartbeat_file(self.settings, self.name)
        while True:
            try:
                # A database that hangs is as unreachable as one that refuses.
                async with asyncio.timeout(5):  # (not wait_for: see `wait_set`)
                    await self._ping_database()
                database = True
            except Exception:
                stop_if_cancelled()
                database = False
            nats_ok = self.nc is not None and self.nc.is_connected
            lag = await self.lag()
            await asyncio.to_thread(write_heartbeat, path, nats=nats_ok, database=database,
                                    lag=lag)
            if database:
                await self.sample_gauges()
            await asyncio.sleep(5)

    async def lag(self) -> dict[str, int]:
        """Messages each consumer has not yet applied, from the server (a stuck one too)."""
        await asyncio.gather(*(r.refresh_lag() for r in self.runners if r.js is not None))
        return {r.projection.name: sum(r.stats.lag.values()) for r in self.runners}

    async def _ping_database(self) -> None:
        async with self.db.read() as conn:
            await conn.execute(text("SELECT 1"))

    async def sample_gauges(self) -> None:
        try:
            await self.gauges.sample(self.db)
        except Exception:  # a metric must never stop the heartbeat
            stop_if_cancelled()
            log.exception("%s: could not sample gauges", self.name)

    async def _reconnected(self) -> None:
        # The server may have lost acknowledged but unsynced writes: send the recent ones again.
        count = await self.relay.recover()
        log.warning("%s: NATS reconnected; re-publishing %d recent events", self.name, count)

    async def _adopt_inline(self, js: JetStreamContext) -> None:
        """A projection that had a JetStream consumer before it became inline: apply from the
        store what that consumer had not applied yet, then remove the consumer (left, it
        would only fall further behind)."""
        for projection in self.kit.store.inline:
            stream, durable = events_stream(self.name), durable_name(self.name, projection,
                                                                       self.name)
            try:
                await js.consumer_info(stream, durable)
            except NotFoundError:
                continue
            applied = await catch_up(self.db, projection, registry,
                                     self.kit.store.read_all(types=sorted(projection.handles)))
            await js.delete_consumer(stream, durable)
            log.info("%s: %s is applied inline from now on; %d events its consumer had not "
                     "applied were applied from the store", self.name, projection.name, applied)

    async def stop(self) -> None:
        self.gauges.close()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # Well inside the supervisor's grace (`STOP_TIMEOUT`), so this is logged first.
            _, stuck = await asyncio.wait(self._tasks, timeout=TASK_STOP_SECONDS)
            for task in stuck:
                log.error("%s: task %s did not stop; it waits in:\n%s", self.name,
                          task.get_name(), _where(task))
        if self.broker is not None:
            await self.broker.stop()
        if self.nc is not None:
            # Not drain(): a pull subscription's queue never empties, so drain() would hang.
            # Whatever was fetched and not acked is redelivered; unsent outbox rows stay.
            await self.nc.close()
        await self.db.dispose()

    def _add_health_route(self) -> None:
        kit = self.kit

        async def health(_: HealthQuery, caller: object) -> dict[str, object]:
            async with kit.db.read() as conn:
                pending = (await conn.execute(select(func.count()).select_from(outbox).where(
                    outbox.c.published_at.is_(None)))).scalar_one()
                parked = (await conn.execute(
                    select(func.count()).select_from(dead_letters))).scalar_one()
            return {"service": self.name, "outbox_pending": pending, "dead_letters": parked,
                    "applied": {r.projection.name: r.stats.applied for r in self.runners},
                    "lag": await self.lag()}

        self.wiring.rpc.handler("health", public=True)(health)

    async def rebuild(self, names: Sequence[str] = ()) -> None:
        """Replay projections (run with the service stopped); progress goes to the log."""
        await upgrade(self)
        nc = await nats.connect(self.settings.nats_url)
        js = nc.jetstream()
        try:
            for projection in self.wiring.projections:
                if names and projection.name not in names:
                    continue
                types = sorted(projection.handles)
                total, sources = 0, []
                for source in projection.sources:
                    if source == self.name:  # our own store is the source of truth
                        total += await self.kit.store.count(types)
                        sources.append(self.kit.store.read_all(types=types))
                    else:
                        try:
                            total += await count_jetstream(js, source, types)
                        except NotFoundError:  # that service has not published yet
                            log.info("no stream for %s yet: nothing to replay", source)
                            continue
                        sources.append(replay_jetstream(js, source, types))
                applied = await rebuild(self.db, projection, registry, chain(*sources), total,
                                        log_progress(projection.name))
                log.info("rebuilt %s from %d events", projection.name, applied)
        finally:
            await nc.close()

    def main(self) -> None:
        parser = argparse.ArgumentParser(prog=f"services.{self.name}")
        parser.add_argument("command", nargs="?", default="run", choices=["run", "rebuild"])
        parser.add_argument("projections", nargs="*")
        args = parser.parse_args()
        setup_logging(self.name, self.settings.log_format)
        if args.command == "rebuild":
            asyncio.run(self.rebuild(args.projections))
        else:
            asyncio.run(self._serve())

    async def _serve(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await self.start()
        await stop.wait()
        # If stopping hangs, say where before the supervisor kills us (it waits 10 s).
        faulthandler.dump_traceback_later(DUMP_STACKS_AFTER, exit=False)
        await self.stop()


def _where(task: asyncio.Task[None]) -> str:
    out = io.StringIO()
    task.print_stack(file=out)
    return out.getvalue()
