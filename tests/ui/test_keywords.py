"""The keyword library: an LA moderator adds a phrase and retires another; a school's DSL
excludes the new one for Oakridge with the reason required, and exports the CSV with it."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import A
from tests.support.procs import eventually
from tests.ui.conftest import Stack, log_in, snapshot

PHRASES = """query($s: String) { keywordPhrases(schoolId: $s) { phrase source excludedReason } }"""
ADD = "mutation($p: [PhraseInput!]!) { addLibraryPhrases(phrases: $p) }"
RETIRE = "mutation($p: String!) { removeLibraryPhrase(phrase: $p) }"


async def test_the_la_adds_a_phrase_and_a_school_excludes_it_with_a_reason(
        stack: Stack, open_page: Any) -> None:
    mod = await stack.platform.token("ui.mod")
    done = await stack.platform.gql(ADD, {"p": [{"phrase": "old slang term",
                                                 "category": "DRUGS", "severity": 2}]}, mod)
    assert not done.get("errors"), done

    page = await open_page()
    await log_in(page, stack, "ui.mod")
    await page.get_by_role("link", name="Keyword library").click()
    await expect(page.get_by_role("heading", name="Keyword library")).to_be_visible()
    form = page.get_by_role("form", name="Add a phrase")
    await form.get_by_label("Phrase").fill("meet me after school")
    await form.get_by_label("Category").select_option("GROOMING_CSE")
    await form.get_by_label("Severity", exact=False).select_option("4")
    await form.get_by_role("button", name="Add phrase").click()
    await expect(page.get_by_role("status")).to_have_text("Added “meet me after school”.")
    await page.get_by_label("Find a phrase").fill("meet me after")
    row = page.locator("tr[data-phrase='meet me after school']")
    await expect(row).to_contain_text("Grooming cse")
    await expect(row).to_contain_text("4")

    # CSV import: good rows are added, bad ones come back with their reasons.
    await page.get_by_label("CSV file").set_input_files(files=[{
        "name": "phrases.csv", "mimeType": "text/csv",
        "buffer": b"phrase,category,severity\nbuy vapes here,drugs,3\nx,NOT_A_CATEGORY,9\n"}])
    await page.get_by_role("button", name="Import").click()
    await expect(page.get_by_role("status")).to_contain_text("1 added or changed")
    await expect(page.get_by_role("status")).to_contain_text("1 rejected")
    await expect(page.get_by_role("status")).to_contain_text("Row 3:")
    await page.get_by_label("Find a phrase").fill("buy vapes")
    await expect(page.locator("tr[data-phrase='buy vapes here']")).to_contain_text("Drugs")

    await page.get_by_label("Find a phrase").fill("old slang")
    await page.get_by_role("button", name="Retire “old slang term”").click()
    await expect(page.locator("tr[data-phrase='old slang term']")).to_have_count(0)
    await snapshot(page, stack, "la-keywords")

    dsl = await open_page()
    await log_in(dsl, stack, "ui.a.dsl")
    await dsl.goto(f"{stack.url}/#/keywords")
    await dsl.get_by_label("Find a phrase").fill("meet me after")
    row = dsl.locator("tr[data-phrase='meet me after school']")
    await row.get_by_role("button", name="Exclude “meet me after school”").click()
    exclude = row.get_by_role("button", name="Exclude phrase")
    await expect(exclude).to_be_disabled()  # the reason is required
    await row.get_by_label("Reason for excluding").fill("a school club uses this phrase")
    await exclude.click()
    await expect(row).to_contain_text("Excluded: a school club uses this phrase")
    await snapshot(dsl, stack, "dsl-keywords")

    async with dsl.expect_download() as download:
        await dsl.get_by_role("button", name="Export CSV").click()
    text = (await (await download.value).path()).read_text(encoding="utf-8")
    assert "meet me after school" in text and "a school club uses this phrase" in text

    # The LA sees the school's exclusion and its reason.
    await page.get_by_label("Exclusions of").select_option(A)
    await page.get_by_label("Find a phrase").fill("meet me after")
    await expect(page.locator("tr[data-phrase='meet me after school']")).to_contain_text(
        "Excluded: a school club uses this phrase")

    token = await stack.platform.token("ui.a.dsl")
    body = await eventually(lambda: stack.platform.gql(PHRASES, {"s": A}, token),
                            lambda b: any(p["phrase"] == "meet me after school"
                                          for p in b["data"]["keywordPhrases"]))
    mine = {p["phrase"]: p for p in body["data"]["keywordPhrases"]}
    assert mine["meet me after school"]["excludedReason"] == "a school club uses this phrase"
    assert "old slang term" not in mine
    # Only LA staff retire phrases (the page offers a school no such button).
    refused = await stack.platform.gql(RETIRE, {"p": "meet me after school"}, token)
    assert refused["errors"][0]["extensions"]["code"] == "forbidden"
    assert await dsl.get_by_role("button", name="Retire", exact=False).count() == 0
