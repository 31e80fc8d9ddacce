"""Least-privilege NATS users: one per service and one for the gateway.

A service may publish only its own events (`events.<service>.>`) and dead letters, answer the
requests it receives (`allow_responses`), serve `rpc.<service>.>`, and use the JetStream API
only on its own streams and on the streams of the services its projections read. Only the
gateway may send `rpc.>` requests (services trust the claims in them). Screenshots live in
capture's object store, which capture and the gateway use.

`python -m shared.natsauth` writes the `authorization` block that docker-compose and the
Kubernetes NATS cluster include (`--check` fails when it is stale, like `make schemas`). The
file holds no secret: each password is a variable, `$ESAFETY_NATS_PASSWORD_<NAME>`, that
nats-server reads from its environment (a Secret). Tests render it with literal passwords.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from services import SERVICES
from shared.streams import dead_letter_stream, events_filter, events_stream

GATEWAY = "gateway"
SCREENSHOTS_BUCKET = "capture-screenshots"  # services/capture/screenshots.py BUCKET
OBJECT_STORE_USERS = ("capture", GATEWAY)
# Core-NATS subscriptions of the gateway: the live `alerts` GraphQL subscription.
GATEWAY_EVENTS = (("capture", "AlertRaised"),)
ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = (ROOT / "deploy" / "nats" / "auth.conf", ROOT / "deploy" / "k8s" / "nats-auth.conf")


@dataclass(frozen=True)
class Grant:
    user: str
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]


def password_variable(user: str) -> str:
    return f"ESAFETY_NATS_PASSWORD_{user.upper()}"


def _stream_api(stream: str, *, own: bool) -> list[str]:
    """JetStream API subjects to read `stream` through durable or ephemeral pull consumers,
    and (when `own`) to declare it."""
    api = [f"$JS.API.STREAM.INFO.{stream}",
           f"$JS.API.CONSUMER.CREATE.{stream}", f"$JS.API.CONSUMER.CREATE.{stream}.>",
           f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.>", f"$JS.API.CONSUMER.INFO.{stream}.>",
           f"$JS.API.CONSUMER.DELETE.{stream}.>", f"$JS.API.CONSUMER.MSG.NEXT.{stream}.>",
           f"$JS.ACK.{stream}.>"]
    if own:
        api += [f"$JS.API.STREAM.CREATE.{stream}", f"$JS.API.STREAM.UPDATE.{stream}"]
    return api


def _object_store() -> list[str]:
    stream = f"OBJ_{SCREENSHOTS_BUCKET}"
    return [f"$JS.API.STREAM.*.{stream}", f"$JS.API.CONSUMER.*.{stream}",
            f"$JS.API.CONSUMER.*.{stream}.>", f"$JS.API.DIRECT.GET.{stream}.>",
            f"$JS.API.STREAM.MSG.GET.{stream}", f"$O.{SCREENSHOTS_BUCKET}.>",
            f"$JS.ACK.{stream}.>", f"$JS.FC.{stream}.>"]


def service_grant(service: str, sources: Sequence[str]) -> Grant:
    publish = [f"events.{service}.>", f"deadletter.{service}.>", "$JS.API.INFO",
               *_stream_api(events_stream(service), own=True),
               *_stream_api(dead_letter_stream(service), own=True)]
    for source in sorted(set(sources) - {service}):
        publish += _stream_api(events_stream(source), own=False)
    if service in OBJECT_STORE_USERS:
        publish += _object_store()
    # Replies from JetStream (acks, API answers, fetched messages) come to its inbox.
    return Grant(service, tuple(publish), (f"rpc.{service}.>", "_INBOX.>"))


def gateway_grant() -> Grant:
    publish = ["rpc.>", "$JS.API.INFO", *_object_store()]
    subscribe = ["_INBOX.>", *(events_filter(s, "*", t) for s, t in GATEWAY_EVENTS)]
    return Grant(GATEWAY, tuple(publish), tuple(subscribe))


def consumed_sources(service: str) -> tuple[str, ...]:
    """The services whose streams `service`'s projections read, from its own wiring."""
    from shared.service import Service
    from shared.settings import Settings

    build = importlib.import_module(f"services.{service}.handlers").build
    offline = Settings(database_url="sqlite+aiosqlite://")  # nothing connects
    wiring = Service(service, build, offline).wiring
    return tuple(sorted({s for p in wiring.projections for s in p.sources}))


def grants() -> list[Grant]:
    return [*(service_grant(s, consumed_sources(s)) for s in SERVICES), gateway_grant()]


def render(grants: Sequence[Grant], passwords: Mapping[str, str] | None = None) -> str:
    """The `authorization { users: [...] }` block; without `passwords`, each one is read by
    nats-server from its environment variable."""
    users = []
    for g in grants:
        secret = json.dumps(passwords[g.user]) if passwords else f"${password_variable(g.user)}"
        users.append("\n".join([
            "    {",
            f"      user: {json.dumps(g.user)}",
            f"      password: {secret}",
            "      permissions: {",
            *_allow("publish", g.publish),
            *_allow("subscribe", g.subscribe),
            "        allow_responses: true",  # answer requests received, nothing else
            "      }",
            "    }",
        ]))
    return ("# Generated by `python -m shared.natsauth`; do not edit. Passwords come from the\n"
            "# server's environment (one ESAFETY_NATS_PASSWORD_<NAME> per user).\n"
            "authorization {\n  users: [\n" + "\n".join(users) + "\n  ]\n}\n")


def _allow(kind: str, subjects: Sequence[str]) -> list[str]:
    return [f"        {kind}: {{ allow: [", *(f"          {json.dumps(s)}" for s in subjects),
            "        ] }"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    check = parser.parse_args().check
    text = render(grants())
    stale = [p for p in OUTPUTS if not p.exists() or p.read_text() != text]
    if check and stale:
        print("stale; run `python -m shared.natsauth`: " + ", ".join(map(str, stale)))
        return 1
    for path in stale:
        path.write_text(text)
    print(f"NATS users: {len(stale)} file(s) {'stale' if check else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
