"""Event sources for rebuilding a projection: the service's own store, or JetStream.

A service's own events replay from its store (the source of truth); events of other services
replay from their JetStream streams through an ephemeral consumer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from shared.events import Envelope
from shared.registry import parse_envelope
from shared.streams import events_filter, events_stream


async def count_jetstream(js: JetStreamContext, service: str) -> int:
    info = await js.stream_info(events_stream(service))
    return int(info.state.messages)


async def replay_jetstream(
    js: JetStreamContext, service: str, types: Sequence[str], batch_size: int = 500
) -> AsyncIterator[list[Envelope]]:
    sub = await js.pull_subscribe(
        events_filter(service), stream=events_stream(service),
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE,
                              inactive_threshold=60.0),
    )
    try:
        pending = (await sub.consumer_info()).num_pending or 0
        wanted = set(types)
        while pending > 0:
            try:
                msgs = await sub.fetch(min(batch_size, pending), timeout=5)
            except NatsTimeout:
                break
            pending -= len(msgs)
            envs = [parse_envelope(m.data) for m in msgs]
            yield [env for env in envs if env.type in wanted]
    finally:
        await sub.unsubscribe()


async def chain(*sources: AsyncIterator[list[Envelope]]) -> AsyncIterator[list[Envelope]]:
    for source in sources:
        async for batch in source:
            yield batch
