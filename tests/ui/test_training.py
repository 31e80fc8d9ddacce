"""Staff training: the head sees who is overdue and why, records the ICT lead's induction and
sees them up to date (and gone from the overdue list); a governor reads the page with no form."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from tests.ui.conftest import Stack, log_in, nav_labels, snapshot


async def test_the_head_records_an_induction_and_the_governor_only_reads(
        stack: Stack, open_page: Any) -> None:
    page = await open_page()
    await log_in(page, stack, "ui.a.head")
    await page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Staff training").click()
    ict = page.locator("tr[data-person='ui-a-ict']")
    await expect(ict).to_contain_text("Overdue: no induction recorded")
    await page.get_by_label("Overdue only").check()
    await expect(ict).to_be_visible()

    form = page.get_by_role("form", name="Record training")
    await form.get_by_label("Member of staff").select_option(label="Ict Tester")
    await form.get_by_label("Training").select_option("INDUCTION")
    await form.get_by_label("Provider").fill("Northshire LA")
    await form.get_by_role("button", name="Record").click()
    await expect(form.get_by_role("status")).to_have_text("Induction recorded for Ict Tester.")
    await expect(ict).to_have_count(0)  # no longer overdue
    await page.get_by_label("Overdue only").uncheck()
    await expect(ict).to_contain_text("Up to date")
    await snapshot(page, stack, "head-staff-training")
    await page.context.close()

    page = await open_page()
    await log_in(page, stack, "ui.a.gov")
    assert "Staff training" in await nav_labels(page)
    await page.goto(f"{stack.url}/#/training")
    await expect(page.locator("tr[data-person='ui-a-ict']")).to_contain_text("Up to date")
    await expect(page.get_by_role("form", name="Record training")).to_have_count(0)
