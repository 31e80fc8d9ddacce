"""Every service, the gateway, and their own NATS (the services'
durable consumers have fixed names: sharing the e2e broker with the other suites' copies of
the same services would split their events between them).

Seeded at school A: a pupil whose records are asked for (Sally Subject), another pupil in the
same incident (Oscar Otherchild), the DSL and the headteacher; at school B, a DSL."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import nats
import pytest

from services.agreement.handlers import build as agreement
from services.capture.handlers import build as capture
from services.compliance.handlers import build as compliance
from services.directory.handlers import build as directory
from services.incident import people
from services.incident.handlers import build as incident
from services.reporting.handlers import build as reporting
from services.sanction.demo import policy
from services.sanction.handlers import build as sanction
from shared.claims import Claims, Role, Scope, system_claims
from shared.errors import DomainError
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, A, B, Platform, open_logins, seed, serve_gateway
from tests.support.inprocess import running
from tests.support.procs import eventually

SUBJECT, OTHER = "a-sar-sally", "a-sar-oscar"
SUBJECT_NAME, OTHER_NAME = "Sally Subject", "Oscar Otherchild"
DSL_ID, DSL_LOGIN, HEAD_LOGIN, B_DSL_LOGIN = "a-sar-dsl", "sar.dsl", "sar.head", "sar.b.dsl"
DSL_NAME = f"Rec {DSL_ID}"  # open_logins names staff "<given> <person id>"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
MODERATOR = Claims(subject="sar-mod", name="Mo Derator", school_id=LA, la_id=LA,
                   roles=frozenset({Role.LA_MODERATOR}))
KEY_A = Claims(subject="key-a", school_id=A, la_id=LA, roles=frozenset({Role.INTEGRATOR}),
               scopes=frozenset({Scope.CAPTURES_WRITE}))


@dataclass
class Records:
    platform: Platform
    services: dict[str, Service]
    capture_id: str
    incident_id: str


@pytest.fixture(scope="module")
async def records(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Records]:
    server = NatsServer(store_dir=tmp_path_factory.mktemp("rec-nats"))
    server.start()
    data = tmp_path_factory.mktemp("rec-data")
    try:
        async with AsyncExitStack() as stack:
            services: dict[str, Service] = {}
            for name, build in (("directory", directory), ("agreement", agreement),
                                ("capture", capture), ("incident", incident),
                                ("sanction", sanction), ("compliance", compliance),
                                ("reporting", reporting)):
                services[name] = await stack.enter_async_context(running(
                    name, build, Settings(nats_url=server.url, data_dir=data / name)))
            nc = await nats.connect(server.url)
            stack.push_async_callback(nc.close)
            rpc = RpcClient(nc, timeout=60)  # first writes on a loaded machine
            await seed(rpc)
            url, gateway = await stack.enter_async_context(serve_gateway(server.url, data))
            http = await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=60))
            platform = Platform(url, gateway, services["directory"], rpc, http)
            yield await _seed_records(platform, services)
    finally:
        server.stop()


async def _seed_records(platform: Platform, services: dict[str, Service]) -> Records:
    system, rpc = system_claims(LA), platform.rpc
    await open_logins(platform, [(DSL_ID, A, "staff", "dsl", DSL_LOGIN),
                                 ("a-sar-head", A, "staff", "headteacher", HEAD_LOGIN),
                                 ("b-sar-dsl", B, "staff", "dsl", B_DSL_LOGIN)], "Rec")
    for pid, given, family in ((SUBJECT, "Sally", "Subject"), (OTHER, "Oscar", "Otherchild")):
        await rpc.call("directory", "EnrolPerson", {
            "school_id": A, "person_id": pid, "kind": "pupil", "given_name": given,
            "family_name": family, "year_group": 5,
            "email": f"{given.lower()}.{family.lower()}@oakridge.test"}, system)
    for cmd in policy(A):  # Oakridge's matrices: the incident types and their sanctions
        await rpc.call("sanction", "PublishMatrix", cmd, system)
    await eventually(lambda: people.known(services["incident"].kit.db, A, [SUBJECT, OTHER]),
                     lambda found: len(found) == 2)

    # agreement: a paper signature for Sally
    template = await rpc.call("agreement", "CreateTemplate", {
        "school_id": A, "audience": "pupil", "title": "Pupil AUP"}, system)
    await rpc.call("agreement", "PublishVersion", {
        "school_id": A, "template_id": template["template_id"], "text": "# Be kind online",
        "effective_from": "2026-09-01"}, system)
    await eventually(lambda: _accepted(rpc.call("agreement", "SignAgreement", {
        "school_id": A, "person_id": SUBJECT, "template_id": template["template_id"],
        "version": 1, "method": "paper", "signed_on": "2026-09-02"}, system)), bool)

    # capture: Sally's, graded a concern (so the school's DSL may see its screenshot)
    await rpc.call("capture", "AddLibraryPhrases", {"phrases": [
        {"phrase": "hurt myself", "category": "self_harm", "severity": 5}]}, system)
    done = await rpc.call("capture", "IngestCaptures", {"school_id": A, "captures": [{
        "product": "SafeWatch", "product_capture_id": "sar-1",
        "captured_at": "2026-10-05T10:00:00+00:00", "machine": "OAK-PC-9",
        "username": "oak\\sally.subject", "trigger": "I want to hurt myself",
        "screenshot": base64.b64encode(PNG).decode()}]}, KEY_A)
    capture_id = done["results"][0]["capture_id"]
    ref = {"school_id": A, "capture_id": capture_id}
    await eventually(lambda: _accepted(rpc.call("capture", "ClaimCapture", ref, MODERATOR)),
                     bool)
    await rpc.call("capture", "GradeCapture", {**ref, "grade": "concern", "notes": "talk"},
                   MODERATOR)
    await eventually(lambda: rpc.call("capture", "GetCapture", ref, system),
                     lambda c: c["capture"]["person_id"] == SUBJECT)

    # incident: child protection, Sally and Oscar, classified so that sanctions follow
    reported = await rpc.call("incident", "ReportIncident", {
        "school_id": A, "occurred_at": "2026-10-07T09:00:00Z", "came_to_light": "staff",
        "description": f"{OTHER_NAME} shared a photo of Sally Subject; {DSL_NAME} told",
        "involved": [{"kind": "pupil", "person_id": SUBJECT},
                     {"kind": "pupil", "person_id": OTHER}]}, system)
    incident_id = reported["incident_id"]
    await rpc.call("incident", "ClassifyIncident", {
        "school_id": A, "incident_id": incident_id, "category": "conduct",
        "incident_type": "proxy-sites", "child_protection": True}, system)
    await eventually(lambda: rpc.call("sanction", "PersonSanctions",
                                      {"school_id": A, "person_id": SUBJECT}, system), bool)
    # reporting follows every other service: wait until it knows Sally too
    await eventually(lambda: rpc.call("reporting", "SubjectAccess",
                                      {"school_id": A, "person_id": SUBJECT}, system),
                     lambda part: len(part["items"]) >= 2)
    return Records(platform, services, capture_id, incident_id)


async def _accepted(call: Awaitable[object]) -> bool:
    """Whether a command went through (the service may not have caught up with what it
    needs from another service's events yet)."""
    try:
        await call
    except DomainError:
        return False
    return True
