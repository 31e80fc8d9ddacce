"""Compliance with the DfE filtering and monitoring standards: the DSL names the IT provider
and logs a check; the termly log review is recorded; the LA sees the school's standing."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from shared.events import now
from tests.e2e.conftest import A
from tests.support.procs import eventually
from tests.ui.conftest import Stack, log_in, snapshot

CHECKS = """query($s: String!) { provisionChecks(schoolId: $s) { items { whatTested result } } }
"""
STANDARDS = """query($s: String!) { filteringStandards(schoolId: $s) {
  holders { responsibility holder } } }"""
TERMLY = "query($s: String!) { termlyReviews(schoolId: $s) { reviewerName findings } }"
OVERDUE = "{ overdueReviews { schoolId lastReviewAt } }"
NAMES = {A: "Oakridge Primary", "glenfield": "Glenfield Academy"}


async def test_the_dsl_logs_a_check_and_the_la_sees_the_standing(
        stack: Stack, open_page: Any) -> None:
    page = await open_page()
    await log_in(page, stack, "ui.a.dsl")
    await page.get_by_role("link", name="Compliance").click()
    await expect(page.get_by_role("heading", name="Filtering and monitoring standards")
                 ).to_be_visible()
    named = page.get_by_role("form", name="Name a role")
    await named.get_by_label("Role").select_option("IT_PROVIDER")
    await named.get_by_label("Name or organisation").fill("County ICT Services")
    await named.get_by_role("button", name="Name").click()
    await expect(page.get_by_role("status")).to_have_text("It provider: County ICT Services named.")
    await expect(page.locator("[data-role='IT_PROVIDER'] dd")).to_have_text("County ICT Services")

    check = page.get_by_role("form", name="Log a check")
    await check.get_by_label("What was tested").fill("Blocked-site test list from a pupil login")
    await check.get_by_label("Result").select_option("PARTLY")
    await check.get_by_label("Actions").fill("raise a ticket for two sites")
    await check.get_by_role("button", name="Log check").click()
    log = page.get_by_role("table", name="Checks of the filtering and monitoring")
    await expect(log).to_contain_text("Blocked-site test list from a pupil login")
    await expect(log).to_contain_text("Partly")
    await snapshot(page, stack, "dsl-compliance")
    token = await stack.platform.token("ui.a.dsl")
    checks = await stack.platform.gql(CHECKS, {"s": A}, token)
    assert {"whatTested": "Blocked-site test list from a pupil login", "result": "PARTLY"} in \
        checks["data"]["provisionChecks"]["items"]
    held = await stack.platform.gql(STANDARDS, {"s": A}, token)
    assert {"responsibility": "IT_PROVIDER", "holder": "County ICT Services"} in \
        held["data"]["filteringStandards"]["holders"]

    # The termly review of the log.
    await page.get_by_role("link", name="Termly review").click()
    await page.get_by_label("Findings").fill("Log complete; cyber-bullying up this term")
    await page.get_by_role("button", name="Record termly review").click()
    reviews = page.get_by_role("table", name="Termly reviews")
    await expect(reviews).to_contain_text("Log complete; cyber-bullying up this term")
    await expect(reviews).to_contain_text("Dsl Tester")
    await eventually(lambda: stack.platform.gql(TERMLY, {"s": A}, token), lambda b: {
        "reviewerName": "Dsl Tester", "findings": "Log complete; cyber-bullying up this term"}
        in b["data"]["termlyReviews"])

    await stack.capture("standing-1", "a capture, so Oakridge has a review to do")
    overdue = (await stack.platform.gql(OVERDUE, {}, await stack.platform.token("ui.mod")))[
        "data"]["overdueReviews"]
    la = await open_page()
    await log_in(la, stack, "ui.mod")
    await la.get_by_role("link", name="LA overview").click()
    schools = la.get_by_role("table", name="Schools", exact=True)
    await expect(schools).to_contain_text("Oakridge Primary")
    standing = la.get_by_role("table", name="Standing against the DfE standards")
    row = standing.get_by_role("row").filter(has_text="Oakridge Primary")
    await expect(row).to_contain_text(now().date().isoformat())
    await expect(row).not_to_contain_text("It provider")
    late = la.get_by_role("list", name="Weekly reviews overdue")
    for school in overdue:  # what the LA is told is what GraphQL answers
        await expect(late).to_contain_text(NAMES[school["schoolId"]])
    assert await late.get_by_role("listitem").count() == len(overdue)
    await snapshot(la, stack, "la-overview")
