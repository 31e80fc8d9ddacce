"""JetStream naming and declaration: each service owns (declares) its own streams.

Subjects: `events.<service>.<school_id>.<EventType>` so a consumer can filter by school or type
with wildcards; poison messages go to `deadletter.<service>.<consumer>`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from shared.events import Envelope

log = logging.getLogger(__name__)
DUPLICATE_WINDOW_S = 120.0
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def events_stream(service: str) -> str:
    return f"EVENTS_{service.upper()}"


def dead_letter_stream(service: str) -> str:
    return f"DEADLETTER_{service.upper()}"


def event_subject(service: str, env: Envelope) -> str:
    return f"events.{service}.{_token(env.school_id)}.{env.type}"


def events_filter(service: str, school_id: str = "*", event_type: str = "*") -> str:
    return f"events.{service}.{school_id}.{event_type}"


def type_filters(service: str, types: Iterable[str]) -> list[str]:
    """A consumer's filter subjects: one per event type it reads, every school; all of the
    stream when it names none."""
    return [events_filter(service, event_type=t) for t in sorted(types)] or [
        f"events.{service}.>"]


def dead_letter_subject(service: str, consumer: str) -> str:
    return f"deadletter.{service}.{_token(consumer)}"


def _token(value: str) -> str:
    return _UNSAFE.sub("_", value)


async def declare_service_streams(js: JetStreamContext, service: str, replicas: int = 1) -> None:
    """Create or update the service's event and dead-letter streams (idempotent)."""
    for name, subjects in (
        (events_stream(service), [f"events.{service}.>"]),
        (dead_letter_stream(service), [f"deadletter.{service}.>"]),
    ):
        config = StreamConfig(
            name=name, subjects=subjects, storage=StorageType.FILE,
            retention=RetentionPolicy.LIMITS, discard=DiscardPolicy.OLD,
            duplicate_window=DUPLICATE_WINDOW_S, num_replicas=replicas,
        )
        try:
            await js.stream_info(name)
            await js.update_stream(config)
        except NotFoundError:
            await js.add_stream(config)


async def wait_for_stream(js: JetStreamContext, name: str) -> None:
    """A consumer of another service's stream waits for its owner to declare it (the owner may
    start later, or not exist yet at all: a consumer of a planned service just waits)."""
    waited = 0
    while True:
        try:
            await js.stream_info(name)
            return
        except NotFoundError:
            if waited == 25:
                log.info("waiting for stream %s (its service has not started yet)", name)
            waited += 1
            await asyncio.sleep(0.2 if waited < 50 else 2.0)
