"""Filtering logs: Oakridge's filtering product sends two daily summaries; a governor reads them,
newest period first, with the totals by category; a teacher has no such page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.async_api import expect

from shared.claims import Claims, Role, Scope
from shared.events import now
from tests.e2e.conftest import LA, A
from tests.ui.conftest import Stack, axe_serious, log_in, nav_labels, shut_out, snapshot

FILTER_A = Claims(subject="ui-filter-a", school_id=A, la_id=LA, roles=frozenset({Role.INTEGRATOR}),
                  scopes=frozenset({Scope.FILTERING_WRITE}))


def _day(days_ago: int, gambling: int, games: int) -> dict[str, Any]:
    end = now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days_ago)
    return {"product": "Smoothwall", "product_summary_id": f"ui-{days_ago}",
            "period_start": (end - timedelta(days=1)).isoformat(), "period_end": end.isoformat(),
            "categories": [{"category": "Gambling", "blocked": gambling, "allowed": 0},
                           {"category": "Games", "blocked": games, "allowed": 40}]}


async def test_a_governor_reads_the_schools_filtering_summaries(
        stack: Stack, open_page: Any) -> None:
    done = await stack.platform.rpc.call("compliance", "IngestFilteringSummaries", {
        "school_id": A, "summaries": [_day(1, 3, 10), _day(2, 4, 20)]}, FILTER_A)
    assert [r["status"] for r in done["results"]] == ["accepted", "accepted"], done

    page = await open_page()
    await log_in(page, stack, "ui.a.gov")
    assert "Filtering logs" in await nav_labels(page)
    await page.goto(f"{stack.url}/#/filtering")
    rows = page.locator("tr[data-summary]")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("smoothwall")
    await expect(rows.first).to_contain_text("Gambling: 3 / 0")  # the newest period first
    await expect(rows.nth(1)).to_contain_text("Games: 20 / 40")
    totals = page.get_by_role("table", name="Blocked and allowed by category")
    await expect(totals.locator("tr[data-category='Games']")).to_contain_text("Games3080")
    await expect(totals.locator("tr[data-category='Gambling']")).to_contain_text("Gambling70")
    await expect(page.locator(".loading")).to_have_count(0)
    assert await axe_serious(page) == []
    await snapshot(page, stack, "governor-filtering-logs")
    await page.get_by_role("button", name="Log out").click()

    await shut_out(page, stack, "a.teacher", "Filtering logs", "filtering")
