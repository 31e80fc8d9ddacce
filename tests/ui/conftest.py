"""The whole platform for the browser: NATS, directory, capture, incident, agreement, sanction,
reporting and compliance services and the gateway serving the built UI, with a user per role
(and a pupil at Oakridge, whose school publishes its sanction matrices); headless Chromium.

The e2e fixtures are reused (imported, so this package gets its own broker and platform: the
services' streams and durable consumers have fixed names and must not meet the e2e suites')."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlalchemy import select

from services.agreement.handlers import build as build_agreement
from services.capture.handlers import build as build_capture
from services.capture.staff import staff_roles
from services.compliance.handlers import build as build_compliance
from services.incident.handlers import build as build_incident
from services.reporting.handlers import build as build_reporting
from services.sanction.demo import policy
from services.sanction.handlers import build as build_sanction
from shared.claims import Claims, Role, Scope, system_claims
from shared.events import now
from shared.natsserver import NatsServer
from shared.passwords import hash_password
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, PASSWORD, A, B, Platform, e2e_nats, people_of, platform
from tests.e2e.incident.test_incident_graphql import CLASSIFY, REPORT
from tests.support.browser import AXE, CHROMIUM_ARGS, chromium_path, png, require_built_ui
from tests.support.procs import eventually

__all__ = ["e2e_nats", "platform"]  # the e2e fixtures, instantiated afresh for this package

# person id, school, kind, role, username: added to the e2e seed (la.admin, a.admin, a.teacher,
# b.admin)
USERS = [("ui-mod", LA, "la_staff", "la_moderator", "ui.mod"),
         ("ui-a-dsl", A, "staff", "dsl", "ui.a.dsl"),
         ("ui-b-dsl", B, "staff", "dsl", "ui.b.dsl"),
         ("ui-a-head", A, "staff", "headteacher", "ui.a.head"),
         ("ui-a-gov", A, "governor", "governor", "ui.a.gov"),
         ("ui-a-ict", A, "staff", "ict_lead", "ui.a.ict")]
PUPIL = "ui-a-pupil"  # Pip Pupil, year 5 at Oakridge: sanctions are recommended for him
KEY_A = Claims(subject="ui-key-a", school_id=A, la_id=LA, roles=frozenset({Role.INTEGRATOR}),
               scopes=frozenset({Scope.CAPTURES_WRITE}))
SHOT = png(320, 180, (40, 90, 160))
# Read models are eventually consistent: let assertions on the page wait as long as actions do.
expect.set_options(timeout=15_000)


@dataclass
class Stack:
    platform: Platform
    url: str
    artefacts: Path
    services: dict[str, Service]  # by name: a test may wait on a service's read model

    async def capture(self, product_id: str, trigger: str, severity: int = 3,
                      at: str = "2026-01-05T10:00:00+00:00") -> str:
        """A monitoring product sends one capture for Oakridge; its id once it is queued."""
        done = await self.platform.rpc.call("capture", "IngestCaptures", {"school_id": A,
            "captures": [{"product": "SafeWatch", "product_capture_id": product_id,
                          "captured_at": at, "machine": "OAK-PC-7",
                          "username": "oak\\pupil7", "trigger": trigger,
                          "product_severity": severity,
                          "screenshot": base64.b64encode(SHOT).decode()}]}, KEY_A)
        cid = str(done["results"][0]["capture_id"])
        mod = await self.platform.token("ui.mod")
        await eventually(lambda: self.platform.gql(QUEUE, {"s": A}, mod), lambda b: cid in {
            c["captureId"] for c in b["data"]["moderationQueue"]["items"]})
        return cid


    async def incident(self, description: str, category: str, incident_type: str | None = None,
                       pupil: str | None = None) -> str:
        """A teacher reports an incident at Oakridge today; its DSL classifies it."""
        involved = [{"kind": "PUPIL", "personId": pupil}] if pupil else []
        done = await self.platform.gql(REPORT, {"i": {
            "schoolId": A, "occurredAt": now().isoformat(), "description": description,
            "cameToLight": "STAFF", "involved": involved}},
            await self.platform.token("a.teacher"))
        iid = str(done["data"]["reportIncident"]["incidentId"])
        dsl = await self.platform.token("ui.a.dsl")
        # The incident service learns Oakridge's types from the sanction service's events.
        await eventually(lambda: self.platform.gql(CLASSIFY, {"i": {
            "schoolId": A, "incidentId": iid, "category": category,
            "incidentType": incident_type}}, dsl), lambda b: not b.get("errors"), interval=0.5)
        return iid


QUEUE = """query($s: String) { moderationQueue(filter: {schoolId: $s}, limit: 200) {
  items { captureId } } }"""


@pytest.fixture(scope="session")
async def stack(platform: Platform, e2e_nats: NatsServer,
                tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    require_built_ui()
    services = [Service(name, build, Settings(nats_url=e2e_nats.url,
                                              data_dir=tmp_path_factory.mktemp(f"ui-{name}")))
                for name, build in (("capture", build_capture), ("incident", build_incident),
                                    ("agreement", build_agreement), ("sanction", build_sanction),
                                    ("reporting", build_reporting),
                                    ("compliance", build_compliance))]
    for service in services:
        await service.start()
    try:
        await _add_users(platform)
        capture = services[0]
        await eventually(lambda: _role_holders(capture), lambda got: "ui-a-dsl" in got,
                         within=15)
        await platform.rpc.call("capture", "AddLibraryPhrases", {"phrases": [
            {"phrase": "hurt myself", "category": "self_harm", "severity": 5}]},
            system_claims(LA))
        rpc = RpcClient(platform.rpc.nc, timeout=60)  # the first writes, on a loaded machine
        for cmd in policy(A):  # Oakridge's matrices: its incident types and sanctions
            await rpc.call("sanction", "PublishMatrix", cmd, system_claims(LA))
        yield Stack(platform, platform.url, tmp_path_factory.mktemp("ui-screenshots"),
                    {s.name: s for s in services})
    finally:
        for service in reversed(services):
            await service.stop()


async def _add_users(platform: Platform) -> None:
    system = system_claims(LA)
    password_hash = await hash_password(PASSWORD)
    for pid, school, kind, role, username in USERS:
        given, family = pid.split("-")[-1].title(), "Tester"
        for name, extra in (("EnrolPerson", {"kind": kind, "given_name": given,
                                             "family_name": family}),
                            ("AssignRole", {"role": role}),
                            ("OpenAccount", {"username": username,
                                             "password_hash": password_hash})):
            await platform.rpc.call("directory", name,
                                    {"school_id": school, "person_id": pid, **extra}, system)

    async def usernames() -> set[str]:
        return {p["username"] for s in (LA, A, B) for p in await people_of(platform.rpc, s)
                if p["username"]}

    await platform.rpc.call("directory", "EnrolPerson", {
        "school_id": A, "person_id": PUPIL, "kind": "pupil", "given_name": "Pip",
        "family_name": "Pupil", "year_group": 5}, system)
    await eventually(usernames, lambda got: {u[4] for u in USERS} <= got, within=15)


async def _role_holders(service: Service) -> set[str]:
    async with service.kit.db.read() as conn:
        return set((await conn.execute(select(staff_roles.c.person_id))).scalars())


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def open_page(browser: Browser) -> AsyncIterator[Any]:
    """`await open_page()` gives a fresh browser context's page (own sessionStorage)."""
    contexts = []

    async def make() -> Page:
        context = await browser.new_context(viewport={"width": 1280, "height": 860},
                                            locale="en-GB", timezone_id="Europe/London")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return await context.new_page()

    yield make
    for context in contexts:
        await context.close()


async def log_in(page: Page, stack: Stack, username: str) -> None:
    await page.goto(stack.url + "/")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await page.get_by_role("button", name="Log out").wait_for()


async def nav_labels(page: Page) -> list[str]:
    return [t.strip() for t in
            await page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()]


async def axe_serious(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations of impact serious or critical on the page."""
    # Evaluated, not injected as a <script>: the UI's Content-Security-Policy refuses inline ones.
    await page.evaluate(AXE.read_text())
    result: dict[str, Any] = await page.evaluate("""() => axe.run(document, {runOnly: {
        type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


async def snapshot(page: Page, stack: Stack, name: str) -> Path:
    path = stack.artefacts / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def shut_out(page: Page, stack: Stack, username: str, label: str, route: str) -> None:
    """The user's menu has no `label`, and its address answers that the role may not see it."""
    await log_in(page, stack, username)
    assert label not in await nav_labels(page)
    await page.goto(f"{stack.url}/#/{route}")
    await expect(page.get_by_role("alert")).to_have_text(
        "This page is not available to your role.")
