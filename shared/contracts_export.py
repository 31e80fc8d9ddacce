"""`make schemas`: write the published contracts into `schemas/` from the code.

- `schemas/events/<Type>.v<N>.json`: JSON Schema of every event payload, and the envelope;
- `schemas/graphql/schema.graphql`: the gateway's SDL;
- `schemas/asyncapi.json`: the services' NATS subjects (faststream's AsyncAPI generator).

`--check` exits non-zero when a file is missing or differs (CI runs it).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from enum import Enum
from pathlib import Path
from typing import get_args

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel
from strawberry.printer import print_schema

from services import SERVICES
from shared import audit  # noqa: F401 - registers the kit's events
from shared.events import Envelope
from shared.registry import registry
from shared.service import Service
from shared.settings import Settings
from shared.streams import events_stream

ROOT = Path(__file__).resolve().parents[1] / "schemas"


def _dump(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def contracts() -> dict[Path, str]:
    for name in SERVICES:
        importlib.import_module(f"services.{name}.domain.events")
    files = {Path("events/Envelope.json"): _dump(Envelope.model_json_schema())}
    for (type_name, version), model in sorted(registry.versions().items()):
        if type_name.startswith(("Test", "Bench")):  # test-only events
            continue
        schema = model.model_json_schema()
        schema["title"] = type_name  # not the Python name of a retired version's model
        schema["x-event-type"], schema["x-schema-version"] = type_name, version
        files[Path(f"events/{type_name}.v{version}.json")] = _dump(schema)
    from services.gateway.schema import build_schema

    files[Path("graphql/schema.graphql")] = print_schema(build_schema()) + "\n"
    files[Path("asyncapi.json")] = _dump(_asyncapi())
    return files


def _named_types(model: type, found: dict[str, set[type]]) -> None:
    """Every enum and model an event's payload refers to, by the name schemas give it."""
    if isinstance(model, type) and issubclass(model, Enum | BaseModel):
        if model in found.setdefault(model.__name__, set()):
            return
        found[model.__name__].add(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        for info in model.model_fields.values():
            _walk(info.annotation, found)


def _walk(annotation: object, found: dict[str, set[type]]) -> None:
    if isinstance(annotation, type):
        _named_types(annotation, found)
    for arg in get_args(annotation):
        _walk(arg, found)


def same_names() -> dict[str, list[str]]:
    """Two types of one name in event payloads: AsyncAPI's flat `components` would keep only
    one of them, and which one would vary from run to run."""
    found: dict[str, set[type]] = {}
    for model in registry.models().values():
        _named_types(model, found)
    return {name: sorted(f"{t.__module__}.{t.__qualname__}" for t in types)
            for name, types in sorted(found.items()) if len(types) > 1}


def _asyncapi() -> object:
    clashes = same_names()
    if clashes:
        raise SystemExit("event payloads use two types of one name; rename one: "
                         + "; ".join(f"{n}: {', '.join(ts)}" for n, ts in clashes.items()))
    broker = NatsBroker()
    offline = Settings(database_url="sqlite+aiosqlite://")  # nothing connects: routes only
    for name in SERVICES:
        build = importlib.import_module(f"services.{name}.handlers").build
        Service(name, build, offline).wiring.rpc.subscribe(broker)
        for type_name, model in sorted(registry.models().items()):
            # The kit's own events (the audit trail's) are published by every service.
            if model.__module__.startswith((f"services.{name}.", "shared.")):
                broker.publisher(
                    f"events.{name}.{{school_id}}.{type_name}", schema=model,
                    title=f"events.{name}.{type_name}",
                    description=f"JetStream stream {events_stream(name)}. The body is an "
                    "Envelope (schemas/events/Envelope.json) whose `payload` is this.")
    spec = AsyncAPI(broker, title="e-safety platform services", version="1.0.0")
    return spec.to_specification().to_jsonable()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    check = parser.parse_args().check
    wanted = contracts()
    stale = []
    for rel, text in wanted.items():
        path = ROOT / rel
        if path.exists() and path.read_text() == text:
            continue
        stale.append(str(rel))
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    extra = [p for p in ROOT.rglob("*") if p.is_file() and p.suffix in (".json", ".graphql")
             and p.relative_to(ROOT) not in wanted]
    for path in extra:
        stale.append(f"{path.relative_to(ROOT)} (no longer generated)")
        if not check:
            path.unlink()
    if check and stale:
        print("schemas/ is stale; run `make schemas`:\n  " + "\n  ".join(stale))
        return 1
    print(f"schemas/: {len(wanted)} files, {len(stale)} {'stale' if check else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
