"""The whole platform for the security proofs: NATS, every service, the demo data and the
gateway's ASGI app in this event loop; one login per role (one role each), a parent, an
integrator key per scope, and throwaway targets at both demo schools.

Every log record any service or the gateway writes during the session is kept (`World.logs`)
so that a test can check that no secret reached them.
"""

from __future__ import annotations

import base64
import functools
import importlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from services import SERVICES
from services.agreement.demo import load_demo as load_agreement_demo
from services.capture.demo import integrator
from services.capture.demo import load_demo as load_capture_demo
from services.compliance.demo import load_demo as load_compliance_demo
from services.directory.demo import GLENFIELD, LA_ID, OAKRIDGE
from services.directory.demo import load_demo as load_directory_demo
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.sanction import demo as sanction_demo
from services.sanction.demo import load_demo as load_sanction_demo
from shared.claims import LA_ROLES, SCHOOL_ROLES, Claims, Role, system_claims
from shared.errors import DomainError
from shared.natsserver import NatsServer
from shared.passwords import hash_password
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings
from tests.support.browser import png
from tests.support.procs import eventually

A, B = OAKRIDGE.school_id, GLENFIELD.school_id
PASSWORD = "security suite passphrase"
JWT_SECRET = "s3cur1ty-suite-signing-key-" + "x" * 16
SYSTEM = system_claims(LA_ID)
SHOT = base64.b64encode(png(64, 48, (200, 30, 30))).decode()
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"

# The principals of the matrix: one role each. School ones belong to A (Oakridge).
SCHOOL_PRINCIPALS = tuple(r.value for r in sorted(SCHOOL_ROLES))
LA_PRINCIPALS = tuple(r.value for r in sorted(LA_ROLES))
KEY_PRINCIPALS = ("key:roster", "key:captures", "key:filtering")
PRINCIPALS = (*SCHOOL_PRINCIPALS, "parent", *KEY_PRINCIPALS, *LA_PRINCIPALS)


class LogTrap(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        self.lines.append(text)


@dataclass
class Targets:
    """Throwaway things at one school that the matrix's operations act on."""

    school: str
    staff: str = ""  # roles are assigned to and removed from them
    pupil: str = ""
    parent: str = ""
    leaver: str = ""
    no_account: str = ""
    class_id: str = ""
    key_id: str = ""
    incident: str = ""
    incident_type: str = ""
    queued_capture: str = ""  # claimed and released by the matrix
    claimed_capture: str = ""  # claimed by the LA admin principal: graded by the matrix
    escalated_capture: str = ""
    alert: str = ""
    template: str = ""
    template_version: int = 1
    action: str = ""
    signed: dict[str, str] = field(default_factory=dict)  # principal -> a pupil who signed
    task: str = ""
    report_job: str = ""
    mover: str = ""  # a pupil who left: the matrix sends their record to the other school
    transfer: str = ""  # a record transfer to this school, pending: the matrix confirms it


@dataclass
class World:
    http: httpx.AsyncClient
    app: Any
    rpc: RpcClient
    services: dict[str, Service]
    settings: GatewaySettings
    logs: LogTrap
    tokens: dict[str, str] = field(default_factory=dict)  # principal -> bearer token
    keys: dict[str, str] = field(default_factory=dict)  # principal -> API key secret
    targets: dict[str, Targets] = field(default_factory=dict)

    def headers(self, principal: str) -> dict[str, str]:
        if principal in self.keys:
            return {"Authorization": f"ApiKey {self.keys[principal]}"}
        return {"Authorization": f"Bearer {self.tokens[principal]}"}

    async def gql(self, query: str, variables: dict[str, Any] | None = None,
                  headers: dict[str, str] | None = None) -> dict[str, Any]:
        resp = await self.http.post("/graphql", json={"query": query, "variables": variables},
                                    headers=headers or {})
        assert resp.status_code < 500, resp.text
        body: dict[str, Any] = resp.json()
        return body

    async def login(self, username: str, password: str = PASSWORD) -> str:
        body = await self.gql(LOGIN, {"u": username, "p": password})
        assert not body.get("errors"), body
        return str(body["data"]["login"]["token"])

    async def call(self, service: str, rpc_name: str, /, **body: Any) -> Any:
        return await self.rpc.call(service, rpc_name, body, SYSTEM)


def person_of(principal: str) -> str:
    return f"sx-{principal.replace('_', '')}"


@pytest.fixture(scope="session")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    trap = LogTrap()
    trap.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(trap)
    root.setLevel(logging.INFO)  # what the services log when they run (INFO)
    server = NatsServer(store_dir=tmp_path_factory.mktemp("sec-nats"))
    server.start()
    data = tmp_path_factory.mktemp("sec-data")
    settings = GatewaySettings(nats_url=server.url, data_dir=data, jwt_secret=JWT_SECRET,
                               rpc_timeout=60)
    try:
        async with AsyncExitStack() as stack:
            services = {}
            for name in SERVICES:
                build = importlib.import_module(f"services.{name}.handlers").build
                service = Service(name, build, Settings(nats_url=server.url, data_dir=data))
                await service.start()
                stack.push_async_callback(service.stop)
                services[name] = service
            nc = await nats.connect(server.url)
            stack.push_async_callback(nc.close)
            rpc = RpcClient(nc, timeout=60)
            app = create_app(settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            http = await stack.enter_async_context(httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://gateway", timeout=60))
            world = World(http, app, rpc, services, settings, trap)
            await _load(world, data)
            yield world
    finally:
        server.stop()
        root.removeHandler(trap)
        root.setLevel(level)


async def _load(world: World, data: Any) -> None:
    rpc = world.rpc
    await load_directory_demo(rpc, data)
    await load_agreement_demo(rpc)
    await load_capture_demo(rpc)
    await load_sanction_demo(rpc)
    await load_compliance_demo(rpc)
    await _principals(world)
    for school in (A, B):
        world.targets[school] = await _targets(world, school)
    for school, other in ((A, B), (B, A)):
        await _transfer(world, school, other)


async def _enrol(world: World, school: str, person: str, kind: str, **extra: Any) -> None:
    await world.call("directory", "EnrolPerson", school_id=school, person_id=person, kind=kind,
                     given_name="Sec", family_name=person, **extra)


async def _principals(world: World) -> None:
    password_hash = await hash_password(PASSWORD)
    logins: dict[str, tuple[str, str]] = {}  # principal -> (school, person)
    for role in (*SCHOOL_PRINCIPALS, *LA_PRINCIPALS):
        school = LA_ID if role in LA_PRINCIPALS else A
        kind = {"governor": "governor"}.get(role, "la_staff" if school == LA_ID else "staff")
        logins[role] = (school, person_of(role))
        await _enrol(world, school, person_of(role), kind)
        await world.call("directory", "AssignRole", school_id=school, person_id=person_of(role),
                         role=role)
    logins["parent"] = (A, person_of("parent"))
    await _enrol(world, A, person_of("parent"), "parent")
    for school, person in logins.values():
        await world.call("directory", "OpenAccount", school_id=school, person_id=person,
                         username=person, password_hash=password_hash)
    for principal, scope in (("key:roster", "roster:write"), ("key:captures", "captures:write"),
                             ("key:filtering", "filtering:write")):
        issued = await world.call("directory", "IssueApiKey", school_id=A, name=principal,
                                  scopes=[scope])
        world.keys[principal] = issued["secret"]

    async def tokens() -> dict[str, str]:
        for principal, (_, person) in logins.items():
            if principal not in world.tokens:
                body = await world.gql(LOGIN, {"u": person, "p": PASSWORD})
                if not body.get("errors"):
                    world.tokens[principal] = body["data"]["login"]["token"]
        return world.tokens

    await eventually(tokens, lambda got: set(got) == set(logins), within=60, interval=0.5)


async def _targets(world: World, school: str) -> Targets:
    t = Targets(school, staff=f"sx-{school}-staff", pupil=f"sx-{school}-pupil",
                parent=f"sx-{school}-parent", leaver=f"sx-{school}-leaver",
                no_account=f"sx-{school}-noacct", class_id=f"sx-{school}-class")
    await _enrol(world, school, t.staff, "staff")
    await _enrol(world, school, t.no_account, "staff")
    await _enrol(world, school, t.parent, "parent")
    for pupil in (t.pupil, t.leaver):
        await _enrol(world, school, pupil, "pupil", year_group=5)
    if school == A:  # the parent principal is the pupil's parent: "their own child"
        await world.call("directory", "LinkGuardian", school_id=A, person_id=person_of("parent"),
                         pupil_id=t.pupil, relationship="mother", parental_responsibility=True)
    await world.call("directory", "RecordClass", school_id=school, class_id=t.class_id,
                     name=f"Sec {school}", year_group=5)
    issued = await world.call("directory", "IssueApiKey", school_id=school, name="throwaway",
                              scopes=["roster:write"])
    t.key_id = issued["key_id"]
    await _captures(world, t)
    await _incident(world, t)
    templates = await world.call("agreement", "ListTemplates", school_id=school)
    pupil_template = next(x for x in templates if x["audience"] == "pupil")
    t.template = pupil_template["template_id"]
    t.template_version = max(v["version"] for v in pupil_template["versions"])
    await _signed_pupils(world, t)
    job = await world.call("reporting", "IssueMonthlyReport", school_id=school,
                           month=datetime.now(UTC).strftime("%Y-%m"))
    t.report_job = job["job_id"]
    return t


async def _transfer(world: World, school: str, other: str) -> None:
    """A leaver at `school` for the matrix to send, and another's record already sent to
    `other` for the matrix to confirm there."""
    t, sent = world.targets[school], f"sx-{school}-sent"
    t.mover = f"sx-{school}-mover"
    for pupil in (t.mover, sent):
        await _enrol(world, school, pupil, "pupil", year_group=6)
        await world.call("directory", "RecordLeaver", school_id=school, person_id=pupil,
                         left_on=date.today().isoformat())
    dsl = Claims(subject=f"sx-{school}-dsl", school_id=school, la_id=LA_ID,
                 roles=frozenset({Role.DSL}))

    async def started() -> Any:
        try:
            return await world.rpc.call("incident", "StartRecordTransfer", {
                "school_id": school, "person_id": sent, "to_school_id": other}, dsl)
        except DomainError:  # the incident service has not seen the pupil leave yet
            return None

    world.targets[other].transfer = (await eventually(started, bool, within=30))["transfer_id"]


async def _captures(world: World, t: Targets) -> None:
    at = datetime.now(UTC).isoformat()
    sent = [{"product": "SafeWatch", "product_capture_id": f"sx-{t.school}-{n}",
             "captured_at": at, "machine": "SEC-1", "username": "sec\\pupil",
             "trigger": "want to disappear", "excerpt": "I want to disappear",
             "screenshot": SHOT} for n in (1, 2, 3)]
    done = await world.rpc.call("capture", "IngestCaptures",
                                {"school_id": t.school, "captures": sent}, integrator(t.school))
    t.escalated_capture, t.queued_capture, t.claimed_capture = (
        r["capture_id"] for r in done["results"])

    async def queued() -> set[str]:
        page = await world.call("capture", "ListQueue", school_id=t.school, limit=200)
        return {c["capture_id"] for c in page["items"]}

    await eventually(queued, lambda ids: t.escalated_capture in ids, within=30)
    await eventually(queued, lambda ids: t.claimed_capture in ids, within=30)
    la_admin = Claims(subject=person_of("la_admin"), school_id=LA_ID, la_id=LA_ID,
                      roles=frozenset({Role.LA_ADMIN}))
    await world.rpc.call("capture", "ClaimCapture", {"school_id": t.school,
                                                     "capture_id": t.claimed_capture}, la_admin)
    await world.call("capture", "ClaimCapture", school_id=t.school,
                     capture_id=t.escalated_capture)
    await world.call("capture", "GradeCapture", school_id=t.school,
                     capture_id=t.escalated_capture, grade="concern", notes="seen by the suite")

    async def alerts() -> list[Any]:
        page = await world.call("capture", "ListAlerts", school_id=t.school, limit=200)
        return [a for a in page["items"] if a["capture_id"] == t.escalated_capture]

    t.alert = (await eventually(alerts, bool, within=30))[0]["alert_id"]


async def _signed_pupils(world: World, t: Targets) -> None:
    """A pupil per principal whose agreement is signed: each withdraws a different one."""
    for i, principal in enumerate(PRINCIPALS):
        t.signed[principal] = f"sx-{t.school}-signed-{i}"
        await _enrol(world, t.school, t.signed[principal], "pupil", year_group=5)

    async def sign(pupil: str) -> bool:
        try:
            await world.call("agreement", "SignAgreement", school_id=t.school, person_id=pupil,
                             template_id=t.template, version=t.template_version,
                             method="paper", signed_on=date.today().isoformat())
            return True
        except DomainError:  # the agreement service has not seen the pupil yet
            return False

    for pupil in t.signed.values():
        await eventually(functools.partial(sign, pupil), bool, within=30)


def _sanction_row(school: str) -> tuple[str, str, str]:
    """An incident type of the school's pupil matrix whose actions include informing the
    parents (a task) and one plain action: (type, plain action, parent action)."""
    path = Path(sanction_demo.__file__).parent / "matrices" / f"{school}.json"
    matrix = json.loads(path.read_text())["matrices"]["pupil"]
    effect = {a["key"]: a["effect"] for a in matrix["actions"]}
    for row in matrix["rows"]:
        plain = [a for a in row["actions"] if effect[a] == "none"]
        parents = [a for a in row["actions"] if effect[a] == "parent_task"]
        if plain and parents:
            return row["key"], plain[0], parents[0]
    raise AssertionError(f"no suitable row in {path}")


async def _incident(world: World, t: Targets) -> None:
    t.incident_type, t.action, parents = _sanction_row(t.school)

    async def reported() -> Any:
        try:
            return await world.call("incident", "ReportIncident", school_id=t.school,
                                    occurred_at=datetime.now(UTC).isoformat(),
                                    description="found by the security suite",
                                    came_to_light="staff",
                                    involved=[{"kind": "pupil", "person_id": t.pupil,
                                               "name": "Sec Pupil"}])
        except DomainError:  # the incident service has not seen the pupil yet
            return None

    t.incident = (await eventually(reported, bool, within=30))["incident_id"]

    async def classified() -> bool:
        try:
            await world.call("incident", "ClassifyIncident", school_id=t.school,
                             incident_id=t.incident, category="conduct",
                             incident_type=t.incident_type, cyber_bullying=False,
                             child_protection=False)
            return True
        except DomainError:  # the incident types not applied yet
            return False

    await eventually(classified, bool, within=30)

    async def recommended() -> list[Any]:
        return list(await world.call("sanction", "Recommendations", school_id=t.school,
                                     incident_id=t.incident))

    await eventually(recommended, bool, within=30)
    await world.call("sanction", "TakeAction", school_id=t.school, incident_id=t.incident,
                     person_id=t.pupil, action=parents, notes="letter home")

    async def tasks() -> list[Any]:
        return list(await world.call("sanction", "OpenTasks", school_id=t.school))

    t.task = (await eventually(tasks, bool, within=30))[0]["task_id"]
