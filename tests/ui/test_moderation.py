"""The LA moderator's queue by keyboard, the capture page, and the audited screenshot."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from tests.e2e.conftest import A
from tests.support.procs import eventually
from tests.ui.conftest import Stack, log_in, snapshot

DETAIL = """query($s: String!, $c: String!) { capture(schoolId: $s, captureId: $c) {
  capture { grade gradedBy } } }"""
VIEWS = """query($s: String!, $c: String) { screenshotViews(schoolId: $s, captureId: $c) {
  total items { viewer captureId } } }"""


async def grade_of(stack: Stack, cid: str, wanted: str) -> dict[str, Any]:
    """The capture's grade as the gateway reports it, once its read model shows `wanted`."""
    mod = await stack.platform.token("ui.mod")
    body = await eventually(lambda: stack.platform.gql(DETAIL, {"s": A, "c": cid}, mod),
                            lambda b: b["data"]["capture"]["capture"]["grade"] == wanted)
    found: dict[str, Any] = body["data"]["capture"]["capture"]
    return found


async def queue_order(page: Page) -> list[str]:
    rows = page.get_by_role("list", name="Captures to grade").locator("li")
    return [str(await r.get_attribute("data-capture")) for r in await rows.all()]


async def focused_capture(page: Page) -> str | None:
    found: str | None = await page.evaluate(
        "() => document.activeElement?.getAttribute('data-capture')")
    return found


async def test_moderator_grades_by_keyboard_and_the_next_capture_is_focused(
        stack: Stack, open_page: Any) -> None:
    # Older than every other capture of the same severity: first in the queue, side by side.
    ids = [await stack.capture(f"kb-{n}", f"keyboard test {n}", at=f"2020-01-0{n + 1}T09:00:00Z")
           for n in range(3)]
    page = await open_page()
    await log_in(page, stack, "ui.mod")
    await page.get_by_label("School", exact=True).select_option(A)
    await expect(page.locator(f"li[data-capture='{ids[2]}']")).to_be_visible()
    order = await queue_order(page)
    mine = [c for c in order if c in ids]
    assert mine == ids
    first, second = mine[0], mine[1]

    # Focus the first of ours from the keyboard: j moves down until it is reached.
    await page.locator("li[data-capture]").first.focus()
    while await focused_capture(page) != first:
        await page.keyboard.press("j")
    await page.keyboard.press("j")
    assert await focused_capture(page) == second
    await page.keyboard.press("k")
    assert await focused_capture(page) == first
    await snapshot(page, stack, "moderation-queue")

    await page.keyboard.press("2")  # no further action: claims, then grades
    await expect(page.locator(f"li[data-capture='{first}']")).to_have_count(0)
    await expect(page.get_by_role("status").filter(has_text="Graded")).to_contain_text(
        "No further action")
    await expect(page.locator(f"li[data-capture='{second}']")).to_be_focused()
    assert (await grade_of(stack, first, "NO_FURTHER_ACTION"))["gradedBy"] == "ui-mod"

    # A concern needs notes: the key asks for them, then grades with them.
    await page.keyboard.press("3")
    await expect(page.get_by_role("alert")).to_contain_text("needs notes")
    await expect(page.get_by_label("Notes for the school", exact=False)).to_be_focused()
    await page.keyboard.type("pupil searched for a worrying phrase")
    await page.keyboard.press("Escape")
    assert await focused_capture(page) == second
    await page.keyboard.press("3")
    await expect(page.locator(f"li[data-capture='{second}']")).to_have_count(0)
    assert (await grade_of(stack, second, "CONCERN"))["gradedBy"] == "ui-mod"

    # Claim and release by key show in the row.
    third = page.locator(f"li[data-capture='{mine[2]}']")
    await third.focus()
    await page.keyboard.press("c")
    await expect(third).to_contain_text("Claimed by you")
    await third.focus()
    await page.keyboard.press("r")
    await expect(third).to_contain_text("Unclaimed")


async def test_bulk_false_positives(stack: Stack, open_page: Any) -> None:
    ids = [await stack.capture(f"bulk-{n}", f"bulk test {n}") for n in range(2)]
    page = await open_page()
    await log_in(page, stack, "ui.mod")
    await page.get_by_label("School", exact=True).select_option(A)
    for cid in ids:
        row = page.locator(f"li[data-capture='{cid}']")
        await row.focus()
        await page.keyboard.press("x")
        await expect(row.get_by_role("checkbox")).to_be_checked()
    await page.get_by_role("button", name="Grade 2 selected as false positive").click()
    await expect(page.get_by_role("status").filter(has_text="graded")).to_have_text(
        "2 graded false positive.")
    for cid in ids:
        await expect(page.locator(f"li[data-capture='{cid}']")).to_have_count(0)
        assert (await grade_of(stack, cid, "FALSE_POSITIVE"))["gradedBy"] == "ui-mod"


async def test_opening_a_screenshot_is_audited(stack: Stack, open_page: Any) -> None:
    cid = await stack.capture("shot-1", "screenshot test")
    mod = await stack.platform.token("ui.mod")
    before = await stack.platform.gql(VIEWS, {"s": A, "c": cid}, mod)
    assert before["data"]["screenshotViews"]["total"] == 0

    page = await open_page()
    await log_in(page, stack, "ui.mod")
    await page.get_by_label("School", exact=True).select_option(A)
    row = page.locator(f"li[data-capture='{cid}']")
    await row.focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Capture: screenshot test")).to_be_visible()
    await expect(page.get_by_text("Nobody has viewed the screenshot yet.")).to_be_visible()
    history = page.get_by_role("heading", name="History").locator("xpath=following-sibling::ol")
    await expect(history.locator("li").first).to_be_visible()

    await page.get_by_role("button", name="View screenshot", exact=False).click()
    image = page.get_by_role("img", name="Screenshot of OAK-PC-7", exact=False)
    await expect(image).to_be_visible()
    assert await image.evaluate("img => img.naturalWidth") == 320  # the real image decoded
    after = await eventually(lambda: stack.platform.gql(VIEWS, {"s": A, "c": cid}, mod),
                             lambda b: b["data"]["screenshotViews"]["total"] > 0)
    assert after["data"]["screenshotViews"]["items"] == [{"viewer": "ui-mod", "captureId": cid}]
    await expect(page.get_by_role("heading", name="Screenshot views")
                 .locator("xpath=following-sibling::ul")).to_contain_text("Mod Tester")
    await snapshot(page, stack, "capture-detail")
