"""Durable JetStream consumers that apply projections exactly once in effect.

Policy, chosen on purpose (faststream's default would terminate a failing message):
- durable pull consumers with explicit acks, fetched in batches;
- a batch is applied in one transaction; if it fails, each message is retried alone, so one
  bad message cannot hold back the others;
- a failing message is nak'ed with a growing delay, up to `max_deliver` deliveries, then parked:
  copied to `deadletter.<service>.<consumer>` with the reason, counted in `dead_letters`,
  and terminated. Messages that can never succeed (unknown type, malformed) are parked at once.

Each consumer receives only the event types its projection handles (one JetStream filter
subject per type; see `shared/pull.py` for the pull loop and how a durable is upgraded in place).
What no projection reads is still watched on the service's own stream by one more consumer,
`strays`: it acknowledges known types unread and parks unknown ones.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nats.aio.msg import Msg
from nats.errors import ConnectionClosedError
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.errors import APIError, ServiceUnavailableError
from opentelemetry import metrics, propagate, trace
from opentelemetry.metrics import CallbackOptions, Observation
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import Database
from shared.errors import DomainError
from shared.events import Envelope, Event, now, stop_if_cancelled
from shared.projection import Projection, apply_new
from shared.pull import Pull
from shared.registry import EventRegistry, parse_envelope
from shared.streams import dead_letter_subject, events_stream, type_filters, wait_for_stream
from shared.tables import dead_letters

log = logging.getLogger(__name__)


@dataclass
class ConsumerStats:
    received: int = 0
    applied: int = 0
    parked: int = 0
    retried: int = 0
    # Messages still waiting in each source stream after the last fetch (the consumer's lag).
    lag: dict[str, int] = field(default_factory=dict)


meter = metrics.get_meter("esafety.consumer")
APPLIED = meter.create_counter("esafety.events.applied", description="events applied, per consumer")
PARKED = meter.create_counter("esafety.events.parked", description="poison messages parked")
RUNNERS: weakref.WeakSet[ProjectionRunner] = weakref.WeakSet()


def _observe_lag(_: CallbackOptions) -> Iterable[Observation]:
    for runner in RUNNERS:
        for source, pending in runner.stats.lag.items():
            yield Observation(pending, {"consumer": runner.durable(source)})


meter.create_observable_gauge("esafety.consumer.lag", callbacks=[_observe_lag],
                              description="messages not yet fetched by the consumer")


@dataclass(eq=False)  # identity: kept in a WeakSet
class ProjectionRunner:
    service: str
    projection: Projection
    db: Database
    registry: EventRegistry
    js: JetStreamContext | None = None  # set by the runtime once connected
    max_deliver: int = 5
    backoff: tuple[float, ...] = (0.5, 2.0, 5.0, 15.0)
    batch_size: int = 500
    ack_wait: float = 15.0  # a batch takes well under a second; a dead consumer's batch waits this
    stats: ConsumerStats = field(default_factory=ConsumerStats)
    pulls: dict[str, Pull] = field(default_factory=dict)  # per source, once consuming
    # Set after each commit that applied something: a reaction's events are in the outbox only
    # once its transaction commits, so the relay is woken then (the service passes its store's
    # `appended`); woken earlier it finds nothing and sleeps its poll interval.
    committed: asyncio.Event | None = None
    # The service's own tracer (its `service.name`); the global one outside a service.
    tracer: trace.Tracer = field(default_factory=lambda: trace.get_tracer(__name__))

    def durable(self, source: str) -> str:
        return durable_name(self.service, self.projection, source)

    def __post_init__(self) -> None:
        RUNNERS.add(self)

    def tasks(self) -> list[asyncio.Task[None]]:
        assert self.js is not None, "runtime did not attach JetStream"
        return [asyncio.create_task(self.consume(self.js, source), name=self.durable(source))
                for source in self.projection.sources]

    async def consume(self, js: JetStreamContext, source: str) -> None:
        # The server's own max_deliver is a backstop beyond ours (a process that crashes on a
        # message never reaches our parking code).
        pull = self.pulls[source] = Pull(
            js, events_stream(source), self.durable(source),
            type_filters(source, self.projection.handles), ack_wait=self.ack_wait,
            max_deliver=self.max_deliver + 3, batch=self.batch_size)
        while True:
            try:
                await wait_for_stream(js, events_stream(source))
                await pull.declare()
                async for msgs in pull.batches():
                    self.stats.lag[source] = msgs[-1].metadata.num_pending or 0
                    try:
                        await self.handle(msgs)
                    except Exception:  # e.g. database down: unacked messages come back later
                        stop_if_cancelled()
                        log.exception("%s: could not handle a batch", self.durable(source))
                        await asyncio.sleep(1.0)
            except (ConnectionClosedError, ServiceUnavailableError, NatsTimeout) as exc:
                stop_if_cancelled()  # nats-py turns a cancel on a closed connection into these
                log.warning("%s: %r; pulling again shortly", self.durable(source), exc)
                await asyncio.sleep(0.5)
            except APIError as exc:  # e.g. the stream was deleted, or refused our config
                log.error("%s: %r; declaring the consumer again", self.durable(source), exc)
                await asyncio.sleep(2.0)
            except Exception:  # whatever else a broken connection raises: the task must live on
                stop_if_cancelled()
                log.exception("%s: consuming failed; starting again", self.durable(source))
                await asyncio.sleep(1.0)

    def pull_requests(self) -> int:
        """Pull requests sent to JetStream so far (a load-independent figure for the bench)."""
        return sum(p.requests for p in self.pulls.values())

    async def handle(self, msgs: list[Msg]) -> None:
        self.stats.received += len(msgs)
        items: list[tuple[Msg, Envelope, Event | None]] = []
        others: list[Msg] = []
        for msg in msgs:
            # The subject names the event's type: known types this projection does not handle
            # (only `strays` gets them) are acknowledged unread; unknown ones are parked.
            kind = msg.subject.rsplit(".", 1)[-1]
            if kind not in self.projection.handles:
                if self.registry.knows(kind):
                    others.append(msg)
                else:
                    await self.park(msg, f"unknown event type {kind!r}")
                continue
            try:
                env = parse_envelope(msg.data)
                wanted = env.type in self.projection.handles
                # Unknown or malformed can never succeed: parked at once, below.
                items.append((msg, env, self.registry.decode(env) if wanted else None))
            except DomainError as exc:
                await self.park(msg, str(exc))
        for msg in others:
            await msg.ack()
        if not items:
            return
        try:
            with self.tracer.start_as_current_span(
                f"{self.projection.name} apply", **_trace_of(items),
                attributes={"messaging.batch.message_count": len(items)},
            ):
                async with self.db.begin(urgent=self.projection.urgent) as conn:
                    applied = await apply_new(conn, self.projection, _wanted(items))
            self._count(applied)
            self._wake(applied)
        except Exception:
            log.exception("%s: batch failed; retrying one by one", self.projection.name)
            for item in items:
                await self._one(item)
            return
        for msg, _, _ in items:
            await msg.ack()

    async def _one(self, item: tuple[Msg, Envelope, Event | None]) -> None:
        msg = item[0]
        try:
            async with self.db.begin(urgent=self.projection.urgent) as conn:
                applied = await apply_new(conn, self.projection, _wanted([item]))
            self._count(applied)
            self._wake(applied)
        except Exception as exc:
            delivered = msg.metadata.num_delivered or 1
            if delivered >= self.max_deliver:
                await self.park(msg, f"failed {delivered} times, last: {exc!r}")
            else:
                self.stats.retried += 1
                await msg.nak(delay=self.backoff[min(delivered, len(self.backoff)) - 1])
            return
        await msg.ack()

    def _wake(self, applied: int) -> None:
        if not applied:
            return
        self.projection.committed()
        if self.committed is not None:
            self.committed.set()

    async def park(self, msg: Msg, reason: str) -> None:
        log.error("%s: parking message on %s: %s", self.projection.name, msg.subject, reason)
        subject = dead_letter_subject(self.service, self.projection.name)
        meta = msg.metadata
        seq = meta.sequence.stream if meta.sequence else 0
        assert self.js is not None, "runtime did not attach JetStream"
        await self.js.publish(subject, msg.data, headers={
            "Nats-Msg-Id": f"{self.projection.name}:{meta.stream}:{seq}",
            "Esafety-Reason": reason[:1000], "Esafety-Original-Subject": msg.subject,
        })
        try:
            event_id: str | None = str(parse_envelope(msg.data).event_id)
        except DomainError:
            event_id = None
        async with self.db.begin() as conn:
            await conn.execute(insert(dead_letters).values(
                consumer=self.projection.name, subject=msg.subject, event_id=event_id,
                reason=reason, deliveries=meta.num_delivered or 1, parked_at=now(),
                data=msg.data))
        self.stats.parked += 1
        PARKED.add(1, {"consumer": self.projection.name})
        await msg.term()

    def _count(self, applied: int) -> None:
        self.stats.applied += applied
        APPLIED.add(applied, {"consumer": self.projection.name})

    async def refresh_lag(self) -> None:
        """Ask the server how far behind each source is: the count taken at each fetch goes
        stale on a stuck consumer (it never fetches again), which hid exactly the lag that
        matters. Messages delivered but not yet acknowledged count as behind too."""
        assert self.js is not None, "runtime did not attach JetStream"
        for source in self.projection.sources:
            try:
                info = await self.js.consumer_info(events_stream(source), self.durable(source),
                                                   timeout=2)
            except Exception:  # not created yet, or NATS away: keep the last figure
                stop_if_cancelled()
                continue
            self.stats.lag[source] = (info.num_pending or 0) + (info.num_ack_pending or 0)

    async def consumed(self) -> int:
        """Messages taken off the stream so far (applied, skipped as duplicates, or parked)."""
        return self.stats.received

    async def dead_letter_count(self) -> int:
        async with self.db.read() as conn:
            query = select(func.count()).select_from(dead_letters).where(
                dead_letters.c.consumer == self.projection.name)
            return int((await conn.execute(query)).scalar_one())


def durable_name(service: str, projection: Projection, source: str) -> str:
    """The JetStream durable of `service`'s consumer of `source` for `projection`."""
    return f"{service}-{projection.name}-{source}".replace(".", "_")


def strays(service: str) -> Projection:
    """The service's watch on its own stream for what none of its projections reads: known
    types are acknowledged unread, unknown ones (never published by the service itself) are
    parked. One consumer reading everything, instead of every projection reading everything."""

    class Strays(Projection):
        name = "strays"
        sources = (service,)
        handles = frozenset()

        async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
            return None

    return Strays()


def _wanted(items: list[tuple[Msg, Envelope, Event | None]]) -> list[tuple[Envelope, Event]]:
    return [(env, event) for _, env, event in items if event is not None]


def _trace_of(items: list[tuple[Msg, Envelope, Event | None]]) -> dict[str, Any]:
    """Continue the trace of the batch's first event and link the other events' traces.
    Each trace once: the events of one command (a batch of a thousand captures) share one."""
    traced = list({tuple(sorted(env.trace.items())): env.trace
                   for _, env, _ in items if env.trace}.values())
    if not traced:
        return {}
    contexts = [propagate.extract(carrier) for carrier in traced]
    return {"context": contexts[0],
            "links": [trace.Link(trace.get_current_span(c).get_span_context())
                      for c in contexts[1:]]}
