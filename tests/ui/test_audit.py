"""The audit trail and a subject access request: the DSL opens a child-protection incident
about Pip; the audit page shows that read (filtered to Pip, then to incidents); the DSL requests
Pip's subject access bundle and downloads the JSON, which holds the incident; the download is in
the trail too. A governor has no audit page."""

from __future__ import annotations

import json
from typing import Any

from playwright.async_api import expect

from shared.events import now
from tests.e2e.conftest import A
from tests.e2e.incident.test_incident_graphql import CLASSIFY, REPORT
from tests.support.procs import eventually
from tests.ui.conftest import PUPIL, Stack, log_in, nav_labels, shut_out, snapshot

TRAIL = """query($s: String!, $p: String!, $k: RecordKind!) {
  auditTrail(schoolId: $s, personId: $p, kind: $k) { items { action } } }"""


async def trail_has(stack: Stack, token: str, kind: str, action: str) -> None:
    """The audit trail is a read model: wait until it holds the read before looking."""
    await eventually(lambda: stack.platform.gql(TRAIL, {"s": A, "p": PUPIL, "k": kind}, token),
                     lambda b: action in {i["action"] for i in b["data"]["auditTrail"]["items"]})


async def test_the_dsl_sees_a_read_in_the_trail_and_downloads_a_sar(
        stack: Stack, open_page: Any) -> None:
    dsl = await stack.platform.token("ui.a.dsl")
    done = await stack.platform.gql(REPORT, {"i": {
        "schoolId": A, "occurredAt": now().isoformat(), "description": "Pip groomed online",
        "cameToLight": "STAFF", "involved": [{"kind": "PUPIL", "personId": PUPIL}]}}, dsl)
    iid = done["data"]["reportIncident"]["incidentId"]
    classified = await stack.platform.gql(CLASSIFY, {"i": {
        "schoolId": A, "incidentId": iid, "category": "CONTACT", "childProtection": True}}, dsl)
    assert not classified.get("errors"), classified

    page = await open_page()
    await log_in(page, stack, "ui.a.dsl")
    assert "Audit trail" in await nav_labels(page)
    await page.goto(f"{stack.url}/#/incident/{A}/{iid}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Pip groomed online")
    await expect(page.locator("dl.facts")).to_contain_text("child protection")
    await trail_has(stack, dsl, "INCIDENT", "GetIncident")

    await page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Audit trail").click()
    await page.get_by_label("Person", exact=True).fill("Pip")
    await page.get_by_role("button", name="Find").click()
    await page.get_by_role("button", name="Choose Pip Pupil").click()
    await page.get_by_label("Kind of record").select_option("INCIDENT")
    row = page.locator("tr[data-kind='INCIDENT']").filter(has_text="Dsl Tester")
    await expect(row.first).to_contain_text("GetIncident")
    await row.first.get_by_role("link", name="Incident").wait_for()
    await expect(page.locator("tr[data-kind]:not([data-kind='INCIDENT'])")).to_have_count(0)
    await snapshot(page, stack, "dsl-audit-trail")

    await page.get_by_role("button", name="Request subject access").click()
    async with page.expect_download() as download:
        await page.get_by_role("button", name="Download JSON").click()
    saved = await (await download.value).path()
    bundle = json.loads(saved.read_text(encoding="utf-8"))
    assert bundle["person_id"] == PUPIL and bundle["school_id"] == A
    items = [i for part in bundle["parts"] for i in part["items"]]
    assert iid in {i["id"] for i in items if i["kind"] == "incident"}

    # The request and the export are sensitive reads themselves.
    await trail_has(stack, dsl, "SUBJECT_ACCESS", "export json")
    await page.get_by_label("Kind of record").select_option("SUBJECT_ACCESS")
    await expect(page.locator("tr[data-kind='SUBJECT_ACCESS']").filter(
        has_text="export json")).to_have_count(1)
    await page.context.close()

    await shut_out(await open_page(), stack, "ui.a.gov", "Audit trail", "audit")
