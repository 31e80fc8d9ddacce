"""The DSL's sanctions on the incident page: the matrix's recommendation for the pupil named,
one action taken with notes, one skipped with a reason, one added with a reason and taken,
and the parent-contact task it opened marked done; the ICT lead sees a referral to technical
support with the pupil's name."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from tests.e2e.conftest import A
from tests.e2e.incident.test_sanction_graphql import TAKE
from tests.support.procs import eventually
from tests.ui.conftest import PUPIL, Stack, log_in, snapshot

RECOMMENDATIONS = """query($s: String!, $i: String!) {
  sanctionRecommendations(schoolId: $s, incidentId: $i) { personId actions { action status
    reason notes byName } } }"""
TASKS = "query($s: String!) { openSanctionTasks(schoolId: $s) { incidentId done } }"
ADD = """mutation($s: String!, $i: String!, $p: String!, $a: String!, $r: String!) {
  addSanctionAction(schoolId: $s, incidentId: $i, personId: $p, action: $a, reason: $r) {
    events } }"""


async def test_the_dsl_takes_skips_and_adds_sanction_actions_with_reasons(
        stack: Stack, open_page: Any) -> None:
    dsl = await stack.platform.token("ui.a.dsl")
    iid = await stack.incident("Proxy site in ICT", "CONDUCT", "proxy-sites", PUPIL)

    async def actions() -> dict[str, dict[str, Any]]:
        body = await stack.platform.gql(RECOMMENDATIONS, {"s": A, "i": iid}, dsl)
        return {a["action"]: a for r in body["data"]["sanctionRecommendations"]
                for a in r["actions"]}

    await eventually(actions, bool)

    page = await open_page()
    await log_in(page, stack, "ui.a.dsl")
    await page.goto(f"{stack.url}/#/incident/{A}/{iid}")
    rec = page.locator(f"section.recommendation[data-person='{PUPIL}']")
    await expect(rec.get_by_role("heading")).to_contain_text("Pip Pupil")

    row = rec.locator("tr[data-action='headteacher']")
    await row.get_by_role("button", name="Take", exact=False).click()
    await row.get_by_label("Notes").fill("Head spoke to Pip")
    await row.get_by_role("button", name="Record as taken").click()
    await expect(row).to_contain_text("Taken by Dsl Tester")

    row = rec.locator("tr[data-action='further_sanction']")
    await row.get_by_role("button", name="Skip", exact=False).click()
    skip = row.get_by_role("button", name="Skip action")
    await expect(skip).to_be_disabled()  # no reason, no skip
    await row.get_by_label("Reason for skipping").fill("first incident this year")
    await skip.click()
    await expect(row).to_contain_text("Skipped by Dsl Tester")
    await expect(row).to_contain_text("Reason: first incident this year")

    await rec.get_by_label("Action", exact=True).select_option("parents")
    await rec.get_by_label("Reason", exact=True).fill("parents asked to be told")
    await rec.get_by_role("button", name="Add action").click()
    row = rec.locator("tr[data-action='parents']")
    await expect(row).to_contain_text("Added by Dsl Tester")
    await row.get_by_role("button", name="Take", exact=False).click()
    await row.get_by_role("button", name="Record as taken").click()
    await expect(row).to_contain_text("Taken by Dsl Tester")

    task = page.get_by_role("form", name="Inform parents", exact=False)
    await expect(task).to_be_visible()
    await snapshot(page, stack, "dsl-sanctions")
    await task.get_by_label("What was done").fill("phoned mum")
    await task.get_by_role("button", name="Mark done").click()
    await expect(task).to_have_count(0)

    found = await eventually(actions, lambda a: a["headteacher"]["status"] == "taken"
                             and a["further_sanction"]["status"] == "skipped"
                             and a.get("parents", {}).get("status") == "taken")
    assert found["headteacher"]["notes"] == "Head spoke to Pip"
    assert found["further_sanction"]["reason"] == "first incident this year"
    assert found["remove_access"]["status"] == "recommended"
    tasks = await stack.platform.gql(TASKS, {"s": A}, dsl)
    assert not [t for t in tasks["data"]["openSanctionTasks"] if t["incidentId"] == iid]


async def test_the_ict_lead_sees_a_referral_to_technical_support(
        stack: Stack, open_page: Any) -> None:
    dsl = await stack.platform.token("ui.a.dsl")
    iid = await stack.incident("Shared a password", "CONDUCT", "sharing-credentials", PUPIL)
    base = {"s": A, "i": iid, "p": PUPIL, "a": "technical_support"}
    await eventually(lambda: stack.platform.gql(ADD, {**base, "r": "reset the password"}, dsl),
                     lambda b: not b.get("errors"), interval=0.5)
    await eventually(lambda: stack.platform.gql(TAKE, {**base, "n": "reset Pip's password"},
                                                dsl), lambda b: not b.get("errors"),
                     interval=0.5)

    page = await open_page()
    await log_in(page, stack, "ui.a.ict")
    await page.get_by_role("link", name="ICT referrals").click()
    referrals = page.get_by_role("table", name="ICT referrals")
    row = referrals.get_by_role("row").filter(has_text="reset Pip's password")
    await expect(row).to_contain_text("Pip Pupil (Pupil)")
    await snapshot(page, stack, "ict-referrals")
    # The ICT lead has no sanctions to handle: no take or skip anywhere on the incident.
    await page.goto(f"{stack.url}/#/incident/{A}/{iid}")
    await expect(page.get_by_role("alert")).to_have_text(
        "This page is not available to your role.")
