"""Per-service NATS users (shared/natsauth.py, the same grants deploy/ includes), enforced by a
real nats-server from the wheel: a service publishes only its own events, only the gateway
sends RPC requests, and the whole platform still works under them (no permission violation
in the server's log while captures, screenshots, grading and reactions flow)."""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client

from services import SERVICES
from services.capture.screenshots import bucket_on, decode_image
from services.incident.reactions import incident_id_for
from shared.natsauth import GATEWAY, grants, render
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.settings import Settings
from shared.streams import declare_service_streams
from tests.integration.test_capture_alerts import seed_directory
from tests.integration.test_capture_service import ADMIN, DSL_A, KEY_A, MOD1, PHRASES, A, item
from tests.support.inprocess import running
from tests.support.procs import eventually

USERS = (*SERVICES, GATEWAY)


@dataclass
class Secured:
    server: NatsServer
    passwords: dict[str, str]

    async def connect(self, user: str, errors: list[str] | None = None) -> Client:
        async def collect(exc: Exception) -> None:
            if errors is not None:
                errors.append(str(exc))

        return await nats.connect(self.server.url, user=user, password=self.passwords[user],
                                  error_cb=collect, max_reconnect_attempts=0)

    def settings(self, user: str, data_dir: Path) -> Settings:
        return Settings(nats_url=self.server.url, nats_user=user,
                        nats_password=self.passwords[user], data_dir=data_dir)

    def violations(self) -> list[str]:
        return [line for line in self.server.log_path.read_text().splitlines()
                if "Violation" in line]


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[Secured]:
    passwords = {user: secrets.token_hex(16) for user in USERS}
    server = NatsServer(store_dir=tmp_path / "nats", extra_config=render(grants(), passwords),
                        probe_auth=(GATEWAY, passwords[GATEWAY]))
    server.start()
    yield Secured(server, passwords)
    server.stop()


async def test_a_service_publishes_only_its_own_events(secured: Secured) -> None:
    directory = await secured.connect("directory")
    errors: list[str] = []
    capture = await secured.connect("capture", errors)
    try:
        await declare_service_streams(directory.jetstream(), "directory")
        await declare_service_streams(capture.jetstream(), "capture")

        ack = await capture.jetstream().publish("events.capture.oakridge.Probe", b"{}")
        assert ack.stream == "EVENTS_CAPTURE"  # its own: stored
        await capture.publish("events.directory.oakridge.PersonEnrolled", b"{}")
        await capture.publish("rpc.directory.EnrolPerson", b"{}")  # only the gateway may
        await capture.flush()
        await eventually(lambda: _copy(errors), lambda e: len(e) >= 2)
        assert any(_refused("events.directory.oakridge.PersonEnrolled", e) for e in errors)
        assert any(_refused("rpc.directory.EnrolPerson", e) for e in errors)
        info = await directory.jetstream().stream_info("EVENTS_DIRECTORY")
        assert info.state.messages == 0  # the forged event never reached the stream
    finally:
        await capture.close()
        await directory.close()


async def test_the_gateway_reads_live_alerts_and_publishes_no_events(secured: Secured) -> None:
    errors: list[str] = []
    gateway = await secured.connect(GATEWAY, errors)
    capture = await secured.connect("capture")
    try:
        alerts = await gateway.subscribe("events.capture.oakridge.AlertRaised")
        await gateway.subscribe("events.directory.>")  # not for the gateway: refused
        await gateway.flush()
        await capture.publish("events.capture.oakridge.AlertRaised", b"{}")
        await capture.flush()
        assert (await alerts.next_msg(timeout=30)).data == b"{}"  # a bound, not a timing claim
        await gateway.publish("events.capture.oakridge.AlertRaised", b"{}")
        await gateway.flush()
        await eventually(lambda: _copy(errors), lambda e: len(e) >= 2)
        assert any(_refused("events.capture.oakridge.AlertRaised", e) for e in errors), errors
        assert any('subscription to "events.directory.>"' in e.lower() for e in errors), errors
    finally:
        await capture.close()
        await gateway.close()


async def test_the_platform_runs_under_its_users(secured: Secured, tmp_path: Path) -> None:
    async with AsyncExitStack() as stack:
        for name in SERVICES:  # every service, each as its own user
            build = import_module(f"services.{name}.handlers").build
            await stack.enter_async_context(
                running(name, build, secured.settings(name, tmp_path / name)))
        gateway = await secured.connect(GATEWAY)
        stack.push_async_callback(gateway.close)
        rpc = RpcClient(gateway)

        await seed_directory(rpc)
        await rpc.call("capture", "AddLibraryPhrases", {"phrases": PHRASES}, ADMIN)
        big = b"\xff\xd8\xff\xe0" + bytes(1500 * 1024)  # by reference, via the object store
        image = decode_image(base64.b64encode(big).decode())
        await (await bucket_on(gateway)).put(image)
        done = await rpc.call("capture", "IngestCaptures", {"school_id": A, "captures": [
            item("u1", screenshot_sha256=image.sha256)]}, KEY_A)
        cid = done["results"][0]["capture_id"]
        await eventually(lambda: rpc.call("capture", "ListQueue", {}, MOD1),
                         lambda q: [c["capture_id"] for c in q["items"]] == [cid])
        await rpc.call("capture", "ClaimCapture", {"school_id": A, "capture_id": cid}, MOD1)
        shot = await rpc.call("capture", "ViewScreenshot", {"school_id": A, "capture_id": cid},
                              MOD1)
        assert shot["size"] == len(big)
        await rpc.call("capture", "GradeCapture", {"school_id": A, "capture_id": cid,
                                                   "grade": "violation", "notes": "x"}, MOD1)
        # The incident service read capture's stream and opened an incident (a reaction).
        await eventually(lambda: rpc.call("incident", "IncidentLog", {"school_id": A}, DSL_A),
                         lambda page: [i["incident_id"] for i in page["items"]] == [
                             incident_id_for(cid)])
    await asyncio.sleep(0)
    assert secured.violations() == []


def _refused(subject: str, error: str) -> bool:
    """The server's -ERR for a refused publish, as nats-py reports it."""
    # nats-py lower-cases the whole message.
    return f'permissions violation for publish to "{subject.lower()}"' in error.lower()


async def _copy(errors: list[str]) -> list[str]:
    return list(errors)
