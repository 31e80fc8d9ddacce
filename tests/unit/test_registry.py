"""The event registry: known types decode; unknown, malformed and future ones are refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from shared.errors import MalformedEvent, UnknownEventType
from shared.events import Envelope, Event
from shared.registry import EventRegistry, parse_envelope


class Graded(Event):
    type_name = "Graded"
    schema_version = 2
    grade: str
    severity: int


def envelope(type_: str, version: int, payload: dict[str, Any]) -> Envelope:
    return Envelope(event_id=uuid4(), type=type_, schema_version=version, school_id="oakridge",
                    aggregate_type="capture", aggregate_id="c1", aggregate_version=1,
                    occurred_at=datetime.now(UTC), correlation_id=uuid4(), payload=payload)


@pytest.fixture
def registry() -> EventRegistry:
    reg = EventRegistry()
    reg.register(Graded)

    @reg.upcaster("Graded", 1)
    def v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "severity": 3}

    return reg


class TestDecode:
    def test_current_version(self, registry: EventRegistry) -> None:
        event = registry.decode(envelope("Graded", 2, {"grade": "violation", "severity": 5}))
        assert event == Graded(grade="violation", severity=5)

    def test_old_version_is_upcast(self, registry: EventRegistry) -> None:
        assert registry.decode(envelope("Graded", 1, {"grade": "no_concern"})) == \
            Graded(grade="no_concern", severity=3)

    def test_unknown_type(self, registry: EventRegistry) -> None:
        with pytest.raises(UnknownEventType, match="Sneaky"):
            registry.decode(envelope("Sneaky", 1, {}))

    def test_malformed_payload_names_the_field(self, registry: EventRegistry) -> None:
        with pytest.raises(MalformedEvent, match="severity"):
            registry.decode(envelope("Graded", 2, {"grade": "x", "severity": "high"}))

    def test_a_newer_version_than_the_code_knows(self, registry: EventRegistry) -> None:
        with pytest.raises(MalformedEvent, match="newer"):
            registry.decode(envelope("Graded", 3, {"grade": "x", "severity": 1}))

    def test_not_an_envelope(self) -> None:
        with pytest.raises(MalformedEvent, match="not an event envelope"):
            parse_envelope(b'{"type": "Graded"}')

    def test_a_type_name_cannot_be_registered_twice(self, registry: EventRegistry) -> None:
        class Other(Event):
            type_name = "Graded"

        with pytest.raises(ValueError, match="twice"):
            registry.register(Other)
