"""Event sources for rebuilding a projection: the service's own store, or JetStream.

A service's own events replay from its store (the source of truth); events of other services
replay from their JetStream streams through an ephemeral consumer that receives only the types
the projection handles (one filter subject per type) and hands over what has arrived in bulk
(`shared/pull.py`): nats-py's `fetch` waited on a future per message, most of a replay's time.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from shared.events import Envelope
from shared.pull import Pull
from shared.registry import parse_envelope
from shared.streams import events_stream, type_filters


async def _replay_consumer(js: JetStreamContext, service: str,
                           types: Sequence[str] | None) -> tuple[str, int]:
    """An ephemeral consumer from the stream's start (gone a minute after its last use):
    its name and how many messages it will deliver."""
    info = await js.add_consumer(events_stream(service), ConsumerConfig(
        deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE, inactive_threshold=60.0,
        filter_subjects=type_filters(service, types or ())))
    assert info.name is not None
    return info.name, int(info.num_pending or 0)


async def _delete(js: JetStreamContext, service: str, name: str) -> None:
    with contextlib.suppress(NotFoundError):
        await js.delete_consumer(events_stream(service), name)


async def count_jetstream(js: JetStreamContext, service: str,
                          types: Sequence[str] | None = None) -> int:
    """The events of `service`'s stream (of those types, when named)."""
    if types is None:
        return int((await js.stream_info(events_stream(service))).state.messages)
    name, pending = await _replay_consumer(js, service, types)
    await _delete(js, service, name)
    return pending


async def replay_jetstream(
    js: JetStreamContext, service: str, types: Sequence[str], batch_size: int = 1000
) -> AsyncIterator[list[Envelope]]:
    """The stream's events of `types`, in stream order, in batches."""
    name, pending = await _replay_consumer(js, service, types)
    try:
        if not pending:
            return
        pull = Pull(js, events_stream(service), name, (), ack_wait=0, max_deliver=0,
                    batch=batch_size, redeclare=False)
        async with contextlib.aclosing(pull.batches()) as batches:  # unsubscribes on return
            async for msgs in batches:
                yield [parse_envelope(m.data) for m in msgs]
                if not msgs[-1].metadata.num_pending:
                    return
    finally:
        await _delete(js, service, name)


async def chain(*sources: AsyncIterator[list[Envelope]]) -> AsyncIterator[list[Envelope]]:
    for source in sources:
        async for batch in source:
            yield batch
