"""Retention: the LA admin sets the LA's policy (letting schools set their own screenshot period)
and runs a purge; Oakridge's head sets the school's own screenshot period and sees it apply, with
the purge log but no purge control; a teacher has no such page.

The periods are long (years): the stack is shared, and other modules' captures must not be
purged."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import A
from tests.ui.conftest import Stack, axe_serious, log_in, shut_out, snapshot

PERIODS = {"SCREENSHOT": "120", "CAPTURE_TEXT": "240", "CAPTURE_METADATA": "720",
           "INCIDENT_TEXT": "840"}


async def test_the_la_sets_the_policy_and_a_head_sets_the_schools_own_period(
        stack: Stack, open_page: Any) -> None:
    page = await open_page()
    await log_in(page, stack, "la.admin")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Retention").click()
    policy = page.get_by_role("form", name="The LA's retention policy")
    await expect(policy).to_contain_text("No policy is set: nothing is purged.")
    for record_type, months in PERIODS.items():
        await policy.locator(f"#la-{record_type}").fill(months)
    await policy.get_by_label("Schools may set their own period for screenshots").check()
    await policy.get_by_role("button", name="Save the LA's policy").click()
    await expect(policy.get_by_role("status")).to_have_text("The LA's retention policy is saved.")
    await page.locator("#school").select_option(A)
    shots = page.locator("table.periods tr[data-type='SCREENSHOT']")
    await expect(shots).to_contain_text("120 months (10 years)")
    await expect(shots).to_contain_text("The LA (the school may set its own)")

    await page.get_by_label("Records", exact=True).select_option("INCIDENT")
    await page.get_by_role("button", name="Run purge now").click()
    await expect(page.get_by_role("status").filter(has_text="purged")).to_have_text(
        "Incidents: 0 records due across the LA, 0 purged.")
    await expect(page.get_by_text("Nothing has been purged here.")).to_be_visible()
    assert await axe_serious(page) == []
    await snapshot(page, stack, "la-retention")
    await page.get_by_role("button", name="Log out").click()

    await log_in(page, stack, "ui.a.head")
    await page.goto(f"{stack.url}/#/retention")
    own = page.get_by_role("form", name="The school's own period")
    # Only the type the LA lets schools set is offered.
    await expect(own.get_by_label("Record", exact=True).locator("option")).to_have_text(
        ["Screenshots"])
    await own.get_by_label("Kept for (months)").fill("60")
    await own.get_by_role("button", name="Set", exact=True).click()
    await expect(own.get_by_role("status")).to_have_text(
        "Screenshots: kept for 60 months (5 years).")
    shots = page.locator("table.periods tr[data-type='SCREENSHOT']")
    await expect(shots).to_contain_text("60 months")
    await expect(shots).to_contain_text("The school")
    await expect(page.locator("table.periods tr[data-type='INCIDENT_TEXT']")).to_contain_text(
        "840 months")
    # The head reads the purge log but neither runs a purge nor sets the LA's policy.
    await expect(page.get_by_text("Nothing has been purged here.")).to_be_visible()
    assert await page.get_by_role("button", name="Run purge now").count() == 0
    assert await page.get_by_role("form", name="The LA's retention policy").count() == 0
    await expect(page.locator(".loading")).to_have_count(0)
    assert await axe_serious(page) == []
    await snapshot(page, stack, "head-retention")
    await page.get_by_role("button", name="Log out").click()

    await shut_out(page, stack, "a.teacher", "Retention", "retention")
