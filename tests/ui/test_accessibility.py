"""axe-core on the main pages (WCAG 2.1 A/AA rules): no serious or critical violations; one
screenshot per page into the test's tmp dir (artefacts to look at)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from tests.e2e.conftest import A
from tests.ui.conftest import Stack, axe_serious, log_in, snapshot

REPORT = """mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { incidentId } }"""


async def check(page: Page, stack: Stack, name: str, found: dict[str, Any]) -> None:
    await expect(page.locator(".loading")).to_have_count(0)  # checked as people see it, loaded
    found[name] = await axe_serious(page)
    await snapshot(page, stack, f"axe-{name}")


async def test_main_pages_have_no_serious_accessibility_violations(
        stack: Stack, open_page: Any) -> None:
    found: dict[str, Any] = {}
    cid = await stack.capture("axe-1", "accessibility test")
    teacher = await stack.platform.token("a.teacher")
    incident = (await stack.platform.gql(REPORT, {"i": {
        "schoolId": A, "occurredAt": "2026-01-07T09:00:00+00:00",
        "description": "accessibility check incident", "cameToLight": "STAFF"}}, teacher))[
        "data"]["reportIncident"]["incidentId"]

    page = await open_page()
    await page.goto(stack.url + "/")
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()
    await check(page, stack, "login", found)

    await log_in(page, stack, "ui.mod")
    await expect(page.locator("li[data-capture]").first).to_be_visible()
    await check(page, stack, "queue", found)
    await page.goto(f"{stack.url}/#/capture/{A}/{cid}")
    await page.get_by_role("button", name="View screenshot", exact=False).click()
    await expect(page.get_by_role("img")).to_be_visible()
    await check(page, stack, "capture", found)
    await page.get_by_role("button", name="Log out").click()

    await log_in(page, stack, "ui.a.dsl")
    await expect(page.get_by_text("Live: new alerts appear here")).to_be_visible()
    await check(page, stack, "alerts", found)
    for route, name in (("incidents", "incident-log"), (f"incident/{A}/{incident}", "incident"),
                        ("agreements", "agreements"), ("report", "report"),
                        ("monthly", "monthly-report"), ("termly", "termly-review"),
                        ("sanctions", "sanction-tasks"), ("keywords", "school-keywords"),
                        ("compliance", "compliance"), ("audit", "audit-trail"),
                        ("training", "staff-training")):
        await page.goto(f"{stack.url}/#/{route}")
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await check(page, stack, name, found)
    await page.get_by_role("button", name="Log out").click()

    await log_in(page, stack, "ui.a.head")
    for route, name in (("review", "weekly-review"), ("staff", "staff-complaints")):
        await page.goto(f"{stack.url}/#/{route}")
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await check(page, stack, name, found)
    await page.get_by_role("button", name="Log out").click()

    await log_in(page, stack, "ui.a.gov")
    await expect(page.get_by_role("heading", name="Governors' termly report")).to_be_visible()
    await check(page, stack, "governors-report", found)
    await page.get_by_role("button", name="Log out").click()

    await log_in(page, stack, "ui.mod")
    for route, name in (("la", "la-overview"), ("keywords", "la-keywords")):
        await page.goto(f"{stack.url}/#/{route}")
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await check(page, stack, name, found)
    await page.get_by_role("button", name="Log out").click()

    await log_in(page, stack, "a.admin")
    for route in ("people", "keys"):
        await page.goto(f"{stack.url}/#/{route}")
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await check(page, stack, route, found)

    assert {name: v for name, v in found.items() if v} == {}
    assert len(found) == 22

    # The check itself can fail: an unlabelled field is reported as critical.
    await page.evaluate("() => document.querySelector('main').append("
                        "document.createElement('input'))")
    assert "label" in {v["id"] for v in await axe_serious(page)}
