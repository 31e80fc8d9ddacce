"""Maps event type names to pydantic models; rejects unknown or malformed events clearly.

Upcasters turn an old schema version's payload into the next one, so old stored events
load as the current model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from shared.errors import MalformedEvent, UnknownEventType
from shared.events import Envelope, Event

E = TypeVar("E", bound=type[Event])
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class EventRegistry:
    def __init__(self) -> None:
        self._models: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._retired: dict[tuple[str, int], type[Event]] = {}

    def register(self, model: E) -> E:
        name = model.type_name
        known = self._models.get(name)
        if known is not None and known is not model:
            raise ValueError(f"event type {name!r} is registered twice")
        self._models[name] = model
        return model

    def upcaster(self, type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        def add(fn: Upcaster) -> Upcaster:
            self._upcasters[(type_name, from_version)] = fn
            return fn

        return add

    def retire(self, model: E) -> E:
        """Keep an old version's model: never decoded into (its upcaster turns its payloads
        into the current version), only published in `schemas/` for integrators who still
        read stored or replayed events of that version."""
        self._retired[(model.type_name, model.schema_version)] = model
        return model

    def versions(self) -> dict[tuple[str, int], type[Event]]:
        """Every version of every event type, current and retired."""
        current = {(name, m.schema_version): m for name, m in self._models.items()}
        return {**self._retired, **current}

    def model(self, type_name: str) -> type[Event]:
        try:
            return self._models[type_name]
        except KeyError:
            raise UnknownEventType(f"unknown event type {type_name!r}") from None

    def models(self) -> dict[str, type[Event]]:
        return dict(self._models)

    def knows(self, type_name: str) -> bool:
        return type_name in self._models

    def decode(self, env: Envelope) -> Event:
        model = self.model(env.type)
        payload, version = env.payload, env.schema_version
        while version < model.schema_version:
            step = self._upcasters.get((env.type, version))
            if step is None:
                raise MalformedEvent(f"no upcaster for {env.type} v{version}")
            payload, version = step(payload), version + 1
        if version != model.schema_version:
            raise MalformedEvent(f"{env.type} v{version} is newer than this code knows")
        try:
            return model.model_validate(payload)
        except ValidationError as exc:
            raise MalformedEvent(f"{env.type} payload invalid: {_first_error(exc)}") from exc


def parse_envelope(data: bytes) -> Envelope:
    try:
        return Envelope.model_validate_json(data)
    except ValidationError as exc:
        raise MalformedEvent(f"not an event envelope: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(root)"
    return f"{where}: {err['msg']}"


registry = EventRegistry()
"""The platform's one registry: every service's events module registers into it."""
