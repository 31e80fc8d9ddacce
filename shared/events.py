"""Domain events and their envelope.

An `Event` is the payload a decider returns: a frozen pydantic model with a stable type name
and schema version (never a Python import path, so stored events survive refactoring).
The `Envelope` is what is stored and published: the payload plus the metadata the design
requires on every event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type_name: ClassVar[str]
    schema_version: ClassVar[int] = 1


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_id: UUID
    type: str
    schema_version: int
    school_id: str
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    occurred_at: datetime
    correlation_id: UUID
    causation_id: UUID | None = None
    payload: dict[str, Any]
    # W3C trace context (traceparent/tracestate) captured when the event was recorded.
    trace: dict[str, str] = Field(default_factory=dict)

    @property
    def stream(self) -> str:
        return f"{self.aggregate_type}-{self.aggregate_id}"


class Metadata(BaseModel):
    """What a command carries into the events it causes."""

    model_config = ConfigDict(frozen=True)

    school_id: str
    correlation_id: UUID = Field(default_factory=uuid4)
    causation_id: UUID | None = None
    occurred_at: datetime | None = None

    def caused_by(self, env: Envelope) -> Metadata:
        """Metadata for a reaction to `env`: same correlation, caused by it."""
        return Metadata(school_id=env.school_id, correlation_id=env.correlation_id,
                        causation_id=env.event_id)


# What services take to read the time (tests pass a controllable one).
Clock = Callable[[], datetime]


def now() -> datetime:
    return datetime.now(UTC)


async def wait_set(event: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds` for `event`; False when the time ran out.

    Not `asyncio.wait_for`: on Python 3.11, when the event is set in the same loop turn as our
    task is cancelled, it returns normally and the cancellation is lost (a stopping service's
    loop then ran on until it was killed). `asyncio.timeout` keeps it."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


def stop_if_cancelled() -> None:
    """For long-running loops that catch broad errors: a library may convert our task's
    cancellation into its own error, and catching that must not keep the loop alive."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
