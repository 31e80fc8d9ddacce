"""Alerts through the gateway: a DSL's GraphQL subscription (graphql-transport-ws at /graphql)
receives the alert when a moderator grades a capture urgent; another school's DSL can neither
subscribe to nor read it; the DSL acknowledges it."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.capture.handlers import build
from services.capture.staff import staff_roles
from services.gateway.app import create_app
from shared.claims import Claims, Role, Scope, system_claims
from shared.natsserver import NatsServer
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, A, B, Platform, open_logins
from tests.e2e.helpers import error_code
from tests.support.asgi_ws import AsgiApp, AsgiWebSocket
from tests.support.procs import eventually
from tests.support.tcpproxy import TcpProxy

PNG = b"\x89PNG\r\n\x1a\n" + bytes(300)
USERS = [("al-mod", LA, "la_staff", "la_moderator", "al.mod"),
         ("al-a-dsl", A, "staff", "dsl", "al.a.dsl"),
         ("al-b-dsl", B, "staff", "dsl", "al.b.dsl")]
KEY_A = Claims(subject="key-a", school_id=A, la_id=LA, roles=frozenset({Role.INTEGRATOR}),
               scopes=frozenset({Scope.CAPTURES_WRITE}))

QUEUE = """query($s: String) { moderationQueue(filter: {schoolId: $s}) {
  items { captureId } } }"""
CLAIM = """mutation($s: String!, $c: String!) { claimCapture(schoolId: $s, captureId: $c) {
  captureId } }"""
GRADE = """mutation($s: String!, $c: String!) { gradeCapture(input: {schoolId: $s, captureId: $c,
  grade: URGENT_CHILD_PROTECTION, notes: "disclosure: act now"}) }"""
ALERTS = """query($s: String!, $st: AlertStatus) { alerts(schoolId: $s, status: $st) {
  total items { alertId captureId status acknowledgedBy acknowledgementNote } } }"""
ACK = """mutation($s: String!, $a: String!) { acknowledgeAlert(schoolId: $s, alertId: $a,
  note: "pupil seen, parents called") }"""
FEED = """subscription($s: String!) { alerts(schoolId: $s) {
  alertId captureId grade urgent status notes recipients { personId role } } }"""


@pytest.fixture(scope="module")
async def capture(platform: Platform, e2e_nats: NatsServer,
                  tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    service = Service("capture", build, Settings(nats_url=e2e_nats.url,
                                                 data_dir=tmp_path_factory.mktemp("alerts")))
    await service.start()
    await open_logins(platform, USERS, given_name="Al")  # after the start: its staff view
    await eventually(lambda: _role_holders(service), lambda got: "al-a-dsl" in got, within=15)
    await platform.rpc.call("capture", "AddLibraryPhrases", {"phrases": [
        {"phrase": "hurt myself", "category": "self_harm", "severity": 5}]}, system_claims(LA))
    try:
        yield service
    finally:
        await service.stop()


async def _role_holders(service: Service) -> set[str]:
    async with service.kit.db.read() as conn:
        return set((await conn.execute(select(staff_roles.c.person_id))).scalars())


@pytest.fixture
async def gateway_app(platform: Platform) -> AsyncIterator[AsgiApp]:
    """The gateway's ASGI app in this loop (same settings and signing key as the served one)."""
    app = create_app(platform.settings)
    async with app.router.lifespan_context(app):
        yield app


async def urgent(platform: Platform, mod: str, pid: str) -> str:
    done = await platform.rpc.call("capture", "IngestCaptures", {"school_id": A, "captures": [{
        "product": "SafeWatch", "product_capture_id": pid,
        "captured_at": "2026-01-05T10:00:00+00:00", "machine": "OAK-PC-1",
        "username": "oak\\pupil", "trigger": "I want to hurt myself",
        "screenshot": base64.b64encode(PNG).decode()}]}, KEY_A)
    cid = str(done["results"][0]["capture_id"])
    await eventually(lambda: platform.gql(QUEUE, {"s": A}, mod), lambda b: cid in {
        c["captureId"] for c in b["data"]["moderationQueue"]["items"]})
    assert error_code(await platform.gql(CLAIM, {"s": A, "c": cid}, mod)) is None
    assert error_code(await platform.gql(GRADE, {"s": A, "c": cid}, mod)) is None
    return cid


async def subscribe(ws: AsgiWebSocket, token: str | None, school: str) -> dict[str, Any]:
    """connection_init with the token, subscribe; the first message back."""
    await ws.send({"type": "connection_init",
                   "payload": {"authorization": f"Bearer {token}"} if token else {}})
    assert (await ws.receive())["type"] == "connection_ack"
    await ws.send({"id": "1", "type": "subscribe",
                   "payload": {"query": FEED, "variables": {"s": school}}})
    return await ws.receive()


async def test_a_dsl_is_alerted_live_and_others_are_kept_out(
        platform: Platform, capture: Service, gateway_app: AsgiApp) -> None:
    mod = await platform.token("al.mod")
    dsl_a, dsl_b = await platform.token("al.a.dsl"), await platform.token("al.b.dsl")
    first = await urgent(platform, mod, "al-1")
    await eventually(lambda: platform.gql(ALERTS, {"s": A}, dsl_a),
                     lambda b: b["data"]["alerts"]["total"] == 1)

    # Another school's DSL can neither read nor subscribe; nor can a socket without a token.
    assert error_code(await platform.gql(ALERTS, {"s": A}, dsl_b)) == "forbidden"
    for token, code in ((dsl_b, "forbidden"), (None, "unauthenticated")):
        async with AsgiWebSocket(gateway_app, "/graphql") as ws:
            refused = await subscribe(ws, token, A)
            assert refused["type"] in ("next", "error"), refused
            payload = refused["payload"]
            errors = payload if isinstance(payload, list) else payload["errors"]
            assert errors[0].get("extensions", {}).get("code") == code, (refused, errors)

    async with AsgiWebSocket(gateway_app, "/graphql") as ws:
        opened = await subscribe(ws, dsl_a, A)  # what is open comes first
        assert opened["type"] == "next", opened
        assert opened["payload"]["data"]["alerts"]["captureId"] == first
        second = await urgent(platform, mod, "al-2")
        live = (await ws.receive())["payload"]["data"]["alerts"]  # then new ones, live
        assert (live["captureId"], live["grade"], live["urgent"], live["status"]) == (
            second, "URGENT_CHILD_PROTECTION", True, "OPEN")
        # The event carries only the notes' ref: the feed asks the capture service for them.
        assert live["notes"] == opened["payload"]["data"]["alerts"]["notes"] == \
            "disclosure: act now"
        # Addressed to the school's DSLs (other suites may have seeded more than ours).
        assert {"personId": "al-a-dsl", "role": "dsl"} in live["recipients"]
        assert {r["role"] for r in live["recipients"]} <= {"dsl", "deputy_dsl", "ict_lead"}

    alert_id = opened["payload"]["data"]["alerts"]["alertId"]
    assert error_code(await platform.gql(ACK, {"s": A, "a": alert_id}, dsl_b)) == "forbidden"
    assert (await platform.gql(ACK, {"s": A, "a": alert_id}, dsl_a))["data"] == {
        "acknowledgeAlert": alert_id}
    acked = await eventually(lambda: platform.gql(ALERTS, {"s": A, "st": "ACKNOWLEDGED"}, dsl_a),
                             lambda b: b["data"]["alerts"]["total"] == 1)
    assert acked["data"]["alerts"]["items"] == [
        {"alertId": alert_id, "captureId": first, "status": "ACKNOWLEDGED",
         "acknowledgedBy": "al-a-dsl", "acknowledgementNote": "pupil seen, parents called"}]


async def test_a_subscription_dropped_while_it_starts_leaves_the_gateway_answering(
        platform: Platform, capture: Service) -> None:
    """A browser that leaves the alerts page while its subscription is still starting cancels
    that start at whatever it awaits. Whichever it is, the gateway's NATS connection must go on
    answering: a flush cancelled this way used to leave a cancelled PING in nats-py, whose PONG
    then stopped the connection's reading for good (every later request "did not answer")."""
    link = TcpProxy("127.0.0.1", int(platform.settings.nats_url.rsplit(":", 1)[1]), delay=0.2)
    await link.start()
    app = create_app(platform.settings.model_copy(
        update={"nats_url": f"nats://127.0.0.1:{link.port}"}))
    dsl = await platform.token("al.a.dsl")
    async with app.router.lifespan_context(app):
        # Each reply takes 0.2 s more: leaving every 0.05 s over the start lands in each await.
        for step in range(24):
            async with AsgiWebSocket(app, "/graphql") as ws:
                await ws.send({"type": "connection_init",
                               "payload": {"authorization": f"Bearer {dsl}"}})
                assert (await ws.receive())["type"] == "connection_ack"
                await ws.send({"id": "1", "type": "subscribe",
                               "payload": {"query": FEED, "variables": {"s": A}}})
                await asyncio.sleep(step * 0.05)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            answer = (await http.post("/graphql", json={"query": ALERTS, "variables": {"s": A}},
                                      headers={"authorization": f"Bearer {dsl}"})).json()
    await link.cut()
    assert "errors" not in answer, answer
