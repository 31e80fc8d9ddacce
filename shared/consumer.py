"""Durable JetStream consumers that apply projections exactly once in effect.

Policy, chosen on purpose (faststream's default would terminate a failing message):
- durable pull consumers with explicit acks, fetched in batches;
- a batch is applied in one transaction; if it fails, each message is retried alone, so one
  bad message cannot hold back the others;
- a failing message is nak'ed with a growing delay, up to `max_deliver` deliveries, then parked:
  copied to `deadletter.<service>.<consumer>` with the reason, counted in `dead_letters`,
  and terminated. Messages that can never succeed (unknown type, malformed) are parked at once.

The pull loop is our own (nats-py `fetch`), not faststream's batch subscriber: in faststream
0.7.8 that loop catches only `nats.errors.TimeoutError`, while nats-py 2.16 raises a plain
`asyncio.TimeoutError` when a fetch ends on a partial batch, so the messages already fetched
were dropped unacknowledged and came back only after `ack_wait`.
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
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import ServiceUnavailableError
from opentelemetry import metrics, propagate, trace
from opentelemetry.metrics import CallbackOptions, Observation
from sqlalchemy import func, insert, select

from shared.db import Database
from shared.errors import DomainError
from shared.events import Envelope, Event, now, stop_if_cancelled
from shared.projection import Projection, apply_new
from shared.registry import EventRegistry, parse_envelope
from shared.streams import dead_letter_subject, events_filter, events_stream, wait_for_stream
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
    # Set after each commit that applied something: a reaction's events are in the outbox only
    # once its transaction commits, so the relay is woken then (the service passes its store's
    # `appended`); woken earlier it finds nothing and sleeps its poll interval.
    committed: asyncio.Event | None = None
    # The service's own tracer (its `service.name`); the global one outside a service.
    tracer: trace.Tracer = field(default_factory=lambda: trace.get_tracer(__name__))

    def durable(self, source: str) -> str:
        return f"{self.service}-{self.projection.name}-{source}".replace(".", "_")

    def __post_init__(self) -> None:
        RUNNERS.add(self)

    def tasks(self) -> list[asyncio.Task[None]]:
        assert self.js is not None, "runtime did not attach JetStream"
        return [asyncio.create_task(self.consume(self.js, source), name=self.durable(source))
                for source in self.projection.sources]

    async def consume(self, js: JetStreamContext, source: str) -> None:
        await wait_for_stream(js, events_stream(source))
        sub = await js.pull_subscribe(
            events_filter(source), durable=self.durable(source), stream=events_stream(source),
            # The server's own limit is a backstop beyond ours (a process that crashes on a
            # message never reaches our parking code).
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=self.ack_wait,
                                  max_deliver=self.max_deliver + 3,
                                  deliver_policy=DeliverPolicy.ALL),
        )
        while True:
            try:
                msgs = await sub.fetch(self.batch_size, timeout=1.0)
            except TimeoutError:  # nothing new; nats' own TimeoutError is a subclass
                stop_if_cancelled()  # nats-py may turn our cancellation into a timeout
                continue
            except (ConnectionClosedError, ServiceUnavailableError) as exc:
                stop_if_cancelled()  # nats-py turns a cancel on a closed connection into this
                log.warning("%s: %r; fetching again shortly", self.durable(source), exc)
                await asyncio.sleep(0.5)
                continue
            if not msgs:
                continue
            self.stats.lag[source] = msgs[-1].metadata.num_pending or 0
            try:
                await self.handle(msgs)
            except Exception:  # e.g. database down: unacked messages come back after ack_wait
                stop_if_cancelled()
                log.exception("%s: could not handle a batch", self.durable(source))
                await asyncio.sleep(1.0)

    async def handle(self, msgs: list[Msg]) -> None:
        self.stats.received += len(msgs)
        items: list[tuple[Msg, Envelope, Event | None]] = []
        others: list[Msg] = []
        for msg in msgs:
            # The subject names the event's type: another projection's known events are
            # acknowledged unread (parsing every event in every consumer was the hot spot);
            # unknown types are still read, and parked below.
            kind = msg.subject.rsplit(".", 1)[-1]
            if kind not in self.projection.handles and self.registry.knows(kind):
                others.append(msg)
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
                async with self.db.begin() as conn:
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
            async with self.db.begin() as conn:
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
        if applied and self.committed is not None:
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

    async def consumed(self) -> int:
        """Messages taken off the stream so far (applied, skipped as duplicates, or parked)."""
        return self.stats.received

    async def dead_letter_count(self) -> int:
        async with self.db.read() as conn:
            query = select(func.count()).select_from(dead_letters).where(
                dead_letters.c.consumer == self.projection.name)
            return int((await conn.execute(query)).scalar_one())


def _wanted(items: list[tuple[Msg, Envelope, Event | None]]) -> list[tuple[Envelope, Event]]:
    return [(env, event) for _, env, event in items if event is not None]


def _trace_of(items: list[tuple[Msg, Envelope, Event | None]]) -> dict[str, Any]:
    """Continue the trace of the batch's first event and link the other events' traces."""
    traced = [env.trace for _, env, _ in items if env.trace]
    if not traced:
        return {}
    contexts = [propagate.extract(carrier) for carrier in traced]
    return {"context": contexts[0],
            "links": [trace.Link(trace.get_current_span(c).get_span_context())
                      for c in contexts[1:]]}
