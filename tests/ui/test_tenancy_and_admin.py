"""A Glenfield user sees nothing of Oakridge; school admins manage keys and roles."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import A
from tests.support.procs import eventually
from tests.ui.conftest import Stack, log_in, snapshot

REPORT = """mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { incidentId } }"""
KEYS = "query($s: String!) { apiKeys(schoolId: $s) { name revokedAt } }"
PERSON = "query($s: String!, $p: String!) { person(schoolId: $s, personId: $p) { roles } }"


async def test_a_glenfield_dsl_sees_nothing_of_oakridge(stack: Stack, open_page: Any) -> None:
    secret = "Oakridge-only incident: nobody at Glenfield may read this"
    teacher = await stack.platform.token("a.teacher")
    reported = await stack.platform.gql(REPORT, {"i": {
        "schoolId": A, "occurredAt": "2026-01-06T09:00:00+00:00", "description": secret,
        "cameToLight": "STAFF"}}, teacher)
    incident_id = reported["data"]["reportIncident"]["incidentId"]
    cid = await stack.capture("tenancy-1", "tenancy test")
    a_dsl = await stack.platform.token("ui.a.dsl")
    log = "query($s: String!) { incidentLog(schoolId: $s) { items { incidentId } } }"
    await eventually(lambda: stack.platform.gql(log, {"s": A}, a_dsl), lambda b: incident_id in {
        i["incidentId"] for i in b["data"]["incidentLog"]["items"]})

    page = await open_page()
    await log_in(page, stack, "ui.b.dsl")
    await expect(page.get_by_text("No open alerts.")).to_be_visible()
    assert await page.get_by_label("School", exact=True).count() == 0  # no way to pick another
    await page.get_by_role("link", name="Incident log").click()
    await expect(page.get_by_text("No incidents match.")).to_be_visible()
    await page.get_by_role("link", name="Agreements").click()
    register = page.get_by_role("table", name="Internet-access register")
    await expect(register).to_contain_text("Pupil Seeded")  # Glenfield's own pupil
    assert "Teacher Seeded" not in await register.inner_text()  # Oakridge's teacher

    # Addresses of Oakridge's records: the gateway refuses, and the page says so plainly.
    await page.goto(f"{stack.url}/#/incident/{A}/{incident_id}")
    await expect(page.get_by_role("alert")).to_have_text(
        "Not allowed: you may not act for this school.")
    assert await page.get_by_role("button", name="Try again").count() == 0  # it would not help
    assert secret not in await page.content()
    await snapshot(page, stack, "forbidden")
    await page.goto(f"{stack.url}/#/capture/{A}/{cid}")
    await expect(page.get_by_role("alert")).to_have_text(
        "Not allowed: you may not act for this school.")
    assert "tenancy test" not in await page.content()
    assert await page.get_by_role("button", name="View screenshot", exact=False).count() == 0


async def test_a_school_admin_issues_and_revokes_a_key(stack: Stack, open_page: Any) -> None:
    page = await open_page()
    await log_in(page, stack, "a.admin")
    await page.get_by_role("link", name="API keys").click()
    await page.get_by_label("Name").fill("SafeWatch monitoring")
    await page.get_by_label("Captures write").check()
    await page.get_by_role("button", name="Issue key").click()
    await expect(page.locator("code.secret")).to_contain_text("esk")
    row = page.get_by_role("row").filter(has_text="SafeWatch monitoring")
    await expect(row).to_be_visible()
    await snapshot(page, stack, "api-keys")
    await row.get_by_role("button", name="Revoke SafeWatch monitoring").click()
    await expect(row).to_contain_text("Revoked")
    admin = await stack.platform.token("a.admin")
    keys = (await stack.platform.gql(KEYS, {"s": A}, admin))["data"]["apiKeys"]
    assert [k["revokedAt"] is not None for k in keys if k["name"] == "SafeWatch monitoring"] \
        == [True]


async def test_a_school_admin_gives_a_role(stack: Stack, open_page: Any) -> None:
    page = await open_page()
    await log_in(page, stack, "a.admin")
    await page.get_by_role("link", name="People and roles").click()
    await page.get_by_label("Search by name").fill("Staff")
    await page.get_by_role("button", name="Search").click()
    await page.get_by_label("Give Staff Seeded a role").select_option("ESAFETY_COORDINATOR")
    row = page.get_by_role("row").filter(has_text="Staff Seeded")
    await expect(row).to_contain_text("E-safety co-ordinator")
    admin = await stack.platform.token("a.admin")
    await eventually(lambda: stack.platform.gql(PERSON, {"s": A, "p": "a-staff"}, admin),
                     lambda b: "ESAFETY_COORDINATOR" in b["data"]["person"]["roles"])
    await snapshot(page, stack, "people")
    await row.get_by_role("button", name="Remove E-safety co-ordinator from Staff Seeded").click()
    await expect(row.get_by_role("cell").nth(3)).to_have_text("—")
