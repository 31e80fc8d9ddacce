"""One user action is one trace: GraphQL request -> gateway -> NATS -> service handler ->
database -> stored event -> the consumers that project it, across services."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.capture.handlers import build as build_capture
from services.directory.handlers import build as build_directory
from services.incident.handlers import build as build_incident
from shared.claims import Claims, Role, Scope, system_claims
from shared.natsserver import NatsServer
from shared.passwords import hash_password
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings
from shared.telemetry import add_span_processor
from tests.e2e.conftest import LA, LOGIN, PASSWORD, A, Platform, seed, serve_gateway
from tests.e2e.helpers import ENROL, pupil
from tests.support.inprocess import running
from tests.support.procs import eventually


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    add_span_processor(SimpleSpanProcessor(exporter))  # every service's provider
    yield exporter
    exporter.shutdown()  # its processor stays attached but drops everything from now on


def trace_of(spans: InMemorySpanExporter, request: str = "POST /graphql") -> list[ReadableSpan]:
    """The last HTTP request named `request` and every span descending from it, in any
    service. (Descent, not the trace id alone: pytest-asyncio shares context between tests,
    so a span an earlier test left current may be an ambient parent of several requests.)"""
    finished = spans.get_finished_spans()
    # (SERVER, or INTERNAL when the ASGI instrumentation finds an ambient parent.)
    requests = [s for s in finished if s.name == request]
    if not requests:
        return []
    root = requests[-1]
    by_id = {s.context.span_id: s for s in finished if s.context.trace_id == root.context.trace_id}
    return [s for s in by_id.values() if s is root or root in _ancestors(s, by_id)]


def service_of(span: ReadableSpan) -> str:
    return str(span.resource.attributes["service.name"])


async def test_an_enrolment_is_one_trace_across_the_path(
    platform: Platform, spans: InMemorySpanExporter
) -> None:
    token = await platform.token("a.admin")
    body = await platform.gql(ENROL, {"i": pupil(A, "traced-pupil")}, token)
    assert not body.get("errors"), body

    async def names() -> list[str]:
        return [s.name for s in trace_of(spans)]

    # The directory's own view is inline: its writes are the handler's, in the same trace.
    # (Events crossing services through JetStream: the capture -> incident test below.)
    found = await eventually(names, lambda n: any("rpc.directory.EnrolPerson" in x for x in n))
    assert any(s.attributes and s.attributes.get("db.system") == "sqlite"
               for s in trace_of(spans)), found  # its database work


MODERATOR = "trace.mod"
KEY_A = Claims(subject="key-a", school_id=A, la_id=LA, roles=frozenset({Role.INTEGRATOR}),
               scopes=frozenset({Scope.CAPTURES_WRITE}))
CLAIM = """mutation($s: String!, $c: String!) { claimCapture(schoolId: $s, captureId: $c) {
  captureId } }"""
GRADE = """mutation($s: String!, $c: String!) { gradeCapture(input: {schoolId: $s, captureId: $c,
  grade: VIOLATION, notes: "played a banned game in class"}) }"""


@dataclass
class Slice:
    http: httpx.AsyncClient
    rpc: RpcClient
    capture: Service

    async def gql(self, query: str, variables: dict[str, str], token: str) -> dict[str, object]:
        resp = await self.http.post("/graphql", json={"query": query, "variables": variables},
                                    headers={"Authorization": f"Bearer {token}"})
        body: dict[str, object] = resp.json()
        assert not body.get("errors"), body
        return body


@pytest.fixture(scope="module")
async def three(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Slice]:
    """Gateway, directory, capture and incident on a private broker (the session platform's
    broker may hold other capture or incident consumers with the same durable names)."""
    tmp: Path = tmp_path_factory.mktemp("trace3")
    server = NatsServer(store_dir=tmp / "nats")
    server.start()
    settings = Settings(nats_url=server.url, data_dir=tmp / "data")
    try:
        async with running("directory", build_directory, settings), \
                running("capture", build_capture, settings) as capture, \
                running("incident", build_incident, settings):
            nc = await nats.connect(server.url)
            rpc = RpcClient(nc)
            await seed(rpc)
            await _moderator(rpc)
            async with serve_gateway(server.url, tmp / "data") as (url, _), \
                    httpx.AsyncClient(base_url=url, timeout=30) as http:
                yield Slice(http, rpc, capture)
            await nc.close()
    finally:
        server.stop()


async def _moderator(rpc: RpcClient) -> None:
    system = system_claims(LA)
    for name, extra in (("EnrolPerson", {"kind": "la_staff", "given_name": "Mo",
                                         "family_name": "Derator"}),
                        ("AssignRole", {"role": "la_moderator"}),
                        ("OpenAccount", {"username": MODERATOR,
                                         "password_hash": await hash_password(PASSWORD)})):
        await rpc.call("directory", name, {"school_id": LA, "person_id": "trace-mod", **extra},
                       system)


async def test_grading_a_violation_is_one_trace_through_gateway_capture_and_incident(
    three: Slice, spans: InMemorySpanExporter
) -> None:
    done = await three.rpc.call("capture", "IngestCaptures", {"school_id": A, "captures": [{
        "product": "SafeWatch", "product_capture_id": "trace-1",
        "captured_at": "2026-01-05T10:00:00+00:00", "machine": "OAK-PC-9",
        "username": "oak\\pupil", "trigger": "free games unblocked"}]}, KEY_A)
    cid = done["results"][0]["capture_id"]
    login = await eventually(
        lambda: three.http.post("/graphql", json={"query": LOGIN, "variables": {
            "u": MODERATOR, "p": PASSWORD}}), lambda r: "token" in r.text)
    token = login.json()["data"]["login"]["token"]
    await three.gql(CLAIM, {"s": A, "c": cid}, token)
    spans.clear()  # from here on, the one action under test
    await three.gql(GRADE, {"s": A, "c": cid}, token)

    async def current() -> list[ReadableSpan]:
        return trace_of(spans)

    # Complete once the incident's reaction span has ended (its database spans end before it).
    found = await eventually(current, lambda f: any(s.name == "incident-captures apply"
                                                    for s in f))
    # The directory too when the gateway's 5-second session check was due (a busy machine).
    services = {service_of(s) for s in found}
    assert {"esafety-gateway", "esafety-capture", "esafety-incident"} <= services \
        <= {"esafety-gateway", "esafety-capture", "esafety-incident", "esafety-directory"}, \
        [s.name for s in found]
    by_id = {s.context.span_id: s for s in found}

    [handler] = [s for s in found if "rpc.capture.GradeCapture" in s.name
                 and s.kind == SpanKind.CONSUMER]
    assert service_of(_ancestors(handler, by_id)[0]) == "esafety-gateway"
    # The capture's database work runs under its handler span.
    assert any(s.attributes and s.attributes.get("db.system") == "sqlite"
               and _ancestors(s, by_id)[:1] == [handler] for s in found)
    # The incident's reaction continues the capture's context: a child, not a new root (the
    # capture's alert, raised in the same trace, may reach it in a batch of its own).
    reactions = [s for s in found if s.name == "incident-captures apply"]
    assert reactions and all(service_of(r) == "esafety-incident"
                             and handler in _ancestors(r, by_id) for r in reactions)
    assert any(s.attributes and s.attributes.get("db.system") == "sqlite"
               and service_of(s) == "esafety-incident"
               and set(reactions) & set(_ancestors(s, by_id)) for s in found)


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    """The span's parent, its parent's parent, ... (nearest first)."""
    chain, parent = [], span.parent
    while parent is not None and parent.span_id in by_id:
        chain.append(by_id[parent.span_id])
        parent = chain[-1].parent
    return chain
