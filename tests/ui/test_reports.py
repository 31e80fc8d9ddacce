"""The headteacher's and the governor's journeys: the monthly report with its charts (the
numbers are the GraphQL answer's), issued and downloaded as CSV; the weekly capture review
recorded; the governors' report read only, with no names and no controls."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from shared.events import now
from tests.e2e.conftest import A
from tests.support.procs import eventually
from tests.ui.conftest import Stack, log_in, nav_labels, snapshot

MONTHLY = """query($s: String!, $m: String!) { monthlyReport(schoolId: $s, month: $m) {
  captures { received moderated } alerts { raised urgent slaBreaches }
  incidents { reported referred closed byCategory { key count } } actions { total } } }"""
REVIEWS = """query($s: String!) { weeklyReviews(schoolId: $s) { byName findings } }"""
# Words that would name someone: the seeded people's names and the pupil's.
NAMES = ["Pip", "Pupil", "Tester", "Seeded"]


async def monthly(stack: Stack, token: str) -> dict[str, Any]:
    body = await stack.platform.gql(MONTHLY, {"s": A, "m": now().strftime("%Y-%m")}, token)
    assert not body.get("errors"), body
    report: dict[str, Any] = body["data"]["monthlyReport"]
    return report


async def settled(stack: Stack, token: str) -> dict[str, Any]:
    """The report once two answers in a row agree (read models catch up a moment later)."""
    last: dict[str, Any] = {}

    async def twice() -> bool:
        report = await monthly(stack, token)
        same = report == last.get("report")
        last["report"] = report
        return same

    await eventually(twice, bool, interval=0.5)
    found: dict[str, Any] = last["report"]
    return found


def figure(page: Page, label: str) -> Any:
    return page.locator("dl.figures .figure").filter(
        has=page.get_by_text(label, exact=True)).locator("dd")


async def test_the_headteacher_reads_the_monthly_report_and_records_a_weekly_review(
        stack: Stack, open_page: Any) -> None:
    head = await stack.platform.token("ui.a.head")
    before = (await monthly(stack, head))["incidents"]["reported"]
    await stack.incident("Monthly chart incident", "CONTACT")
    await eventually(lambda: monthly(stack, head), lambda r: r["incidents"]["reported"] > before
                     and any(c["key"] == "contact" for c in r["incidents"]["byCategory"]))
    answer = await settled(stack, head)

    page = await open_page()
    await log_in(page, stack, "ui.a.head")
    assert "Monthly report" in await nav_labels(page) and "Weekly review" in await nav_labels(page)
    await page.get_by_role("link", name="Monthly report").click()
    await expect(page.get_by_role("heading", name="Monthly report")).to_be_visible()
    for label, value in (("Captures received", answer["captures"]["received"]),
                         ("Captures moderated", answer["captures"]["moderated"]),
                         ("Alerts raised", answer["alerts"]["raised"]),
                         ("Urgent alerts", answer["alerts"]["urgent"]),
                         ("Incidents reported", answer["incidents"]["reported"]),
                         ("Incidents closed", answer["incidents"]["closed"]),
                         ("Sanction actions taken", answer["actions"]["total"])):
        await expect(figure(page, label)).to_have_text(str(value))
    chart = page.locator("svg[data-chart='c-incidents']")
    await expect(chart).to_be_visible()
    bars = {await g.get_attribute("data-label"): int(await g.get_attribute("data-value") or -1)
            for g in await chart.locator("g[data-label]").all()}
    assert bars == {c["key"].replace("_", " ").capitalize(): c["count"]
                    for c in answer["incidents"]["byCategory"]}
    await snapshot(page, stack, "head-monthly-report")

    # Issued on demand, then downloaded as CSV through the token (fetched, saved as a file).
    await page.get_by_role("button", name="Issue the report", exact=False).click()
    await expect(page.get_by_text("Issued.")).to_be_visible(timeout=60_000)
    issued = page.get_by_role("table", name="Issued reports")
    row = issued.get_by_role("row").filter(has_text=now().strftime("%Y-%m")).first
    async with page.expect_download() as download:
        await row.get_by_role("button", name="CSV", exact=False).click()
    saved = await (await download.value).path()
    text = saved.read_text(encoding="utf-8")
    assert f"incidents,reported,{answer['incidents']['reported']}" in text.splitlines()

    await page.get_by_role("link", name="Weekly review").click()
    await expect(page.get_by_role("heading", name="Weekly capture review")).to_be_visible()
    await page.get_by_label("Findings").fill("Looked at every capture; two pupils to watch")
    await page.get_by_role("button", name="Record review").click()
    await expect(page.get_by_role("status").filter(has_text="Review recorded.")).to_be_visible()
    reviews = page.get_by_role("table", name="Weekly reviews")
    await expect(reviews).to_contain_text("Looked at every capture; two pupils to watch")
    await expect(reviews).to_contain_text("Head Tester")
    await snapshot(page, stack, "head-weekly-review")
    body = await stack.platform.gql(REVIEWS, {"s": A}, head)
    assert {"byName": "Head Tester", "findings": "Looked at every capture; two pupils to watch"
            } in body["data"]["weeklyReviews"]


async def test_a_governor_reads_the_governors_report_without_names_or_controls(
        stack: Stack, open_page: Any) -> None:
    page = await open_page()
    await log_in(page, stack, "ui.a.gov")
    assert await nav_labels(page) == ["Governors' report", "Termly review", "Compliance",
                                      "Filtering logs", "Staff training"]
    await expect(page.get_by_role("heading", name="Governors' termly report")).to_be_visible()
    trends = page.get_by_role("table", name="This term against last term")
    await expect(trends.locator("tr[data-figure='incidents_reported']")).to_be_visible()
    await expect(page.locator("svg[data-chart='g-trends']")).to_be_visible()
    await snapshot(page, stack, "governor-report")
    for route in ("governors", "termly", "compliance"):
        await page.goto(f"{stack.url}/#/{route}")
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await expect(page.locator("main .loading")).to_have_count(0)
        main = page.locator("main")
        # Read only: no button, no text field; the report names nobody.
        assert await main.get_by_role("button").count() == 0, route
        assert await main.get_by_role("textbox").count() == 0, route
        if route == "governors":
            text = await main.inner_text()
            assert not [n for n in NAMES if n in text], text
    for route in ("monthly", "incidents", "keywords"):
        await page.goto(f"{stack.url}/#/{route}")
        await expect(page.get_by_role("alert")).to_have_text(
            "This page is not available to your role.")
