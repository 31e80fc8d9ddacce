"""Logging in and out; each role sees only the controls it may use."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from tests.ui.conftest import Stack, log_in, nav_labels

EXPECTED = {
    "ui.mod": ["Moderation queue", "Monthly report", "LA overview", "Keyword library",
               "Filtering logs"],
    "ui.a.dsl": ["Alerts", "Incident log", "Report an incident", "Agreements", "Monthly report",
                 "Weekly review", "Termly review", "Record transfers", "Audit trail", "Retention",
                 "Sanction tasks", "Keyword library", "Compliance", "Filtering logs",
                 "Staff training"],
    "ui.a.head": ["Alerts", "Incident log", "Report an incident", "Agreements", "Monthly report",
                  "Weekly review", "Termly review", "Staff complaints", "Record transfers",
                  "Audit trail", "Retention", "Sanction tasks", "Keyword library", "Compliance",
                  "Filtering logs", "Staff training", "People and roles", "API keys"],
    "ui.a.gov": ["Governors' report", "Termly review", "Compliance", "Filtering logs",
                 "Staff training"],
    "a.teacher": ["Report an incident"],
    "a.admin": ["Report an incident", "Agreements", "Retention", "Compliance", "Staff training",
                "People and roles", "API keys"],
    "la.admin": ["Moderation queue", "Incident log", "Report an incident", "Agreements",
                 "Monthly report", "LA overview", "Termly review", "Record transfers",
                 "Audit trail", "Retention", "Sanction tasks", "Keyword library", "Compliance",
                 "Filtering logs", "Staff training", "People and roles", "API keys"],
}


async def test_each_role_sees_only_its_own_pages(stack: Stack, open_page: Any) -> None:
    for username, pages in EXPECTED.items():
        page = await open_page()
        await log_in(page, stack, username)
        assert await nav_labels(page) == pages, username
        # The first page the role may use opens by itself.
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await page.context.close()


async def test_a_teacher_cannot_reach_other_pages_by_address(stack: Stack,
                                                             open_page: Any) -> None:
    page = await open_page()
    await log_in(page, stack, "a.teacher")
    await expect(page.get_by_role("heading", name="Report an incident")).to_be_visible()
    for route in ("queue", "alerts", "incidents", "keys", "people", "monthly", "governors", "la",
                  "review", "termly", "sanctions", "keywords", "compliance", "staff",
                  "audit", "training", "transfers", "retention", "filtering"):
        await page.goto(f"{stack.url}/#/{route}")
        await expect(page.get_by_role("alert")).to_have_text(
            "This page is not available to your role.")
    # No control of another role is on the page: no grade, acknowledge or revoke buttons.
    for name in ("Acknowledge", "Revoke", "Issue key", "Grade"):
        assert await page.get_by_role("button", name=name).count() == 0


async def test_bad_password_then_log_in_and_out(stack: Stack, open_page: Any) -> None:
    page = await open_page()
    await page.goto(stack.url + "/")
    await page.get_by_label("Username").fill("a.teacher")
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    assert await page.get_by_role("button", name="Log out").count() == 0

    await log_in(page, stack, "a.teacher")
    # The token is kept for this tab only: sessionStorage, never localStorage.
    stored = await page.evaluate("() => [sessionStorage.length, localStorage.length]")
    assert stored == [1, 0]
    await page.get_by_role("button", name="Log out").click()
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()
    await expect(page.get_by_role("status")).to_have_text("You have logged out.")
    assert await page.evaluate("() => sessionStorage.length") == 0
    # A reload does not bring the session back.
    await page.reload()
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()
