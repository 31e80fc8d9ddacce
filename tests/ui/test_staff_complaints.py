"""The headteacher's staff complaints: a teacher reports a complaint about a member of staff;
the head sees it first on the page and opens it; the DSL has no such page, and the incident
log shows the DSL nothing of the complaint (the service's rule: the head's alone)."""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from shared.events import now
from tests.e2e.conftest import A
from tests.e2e.incident.test_incident_graphql import REPORT
from tests.support.procs import eventually
from tests.ui.conftest import Stack, log_in, shut_out, snapshot

LOG = """query($s: String!) { incidentLog(schoolId: $s, where: {aboutStaff: true}) {
  items { incidentId } } }"""


async def report(stack: Stack, description: str, came_to_light: str) -> str:
    done = await stack.platform.gql(REPORT, {"i": {
        "schoolId": A, "occurredAt": now().isoformat(), "description": description,
        "cameToLight": came_to_light, "involved": [{"kind": "STAFF", "personId": "ui-a-ict"}]}},
        await stack.platform.token("a.teacher"))
    return str(done["data"]["reportIncident"]["incidentId"])


async def test_the_head_sees_complaints_about_staff_and_the_dsl_does_not(
        stack: Stack, open_page: Any) -> None:
    complaint = await report(stack, "Complaint: staff member shared pupil photos", "COMPLAINT")
    other = await report(stack, "Staff laptop left unlocked", "STAFF")
    head = await stack.platform.token("ui.a.head")
    await eventually(lambda: stack.platform.gql(LOG, {"s": A}, head), lambda b: {
        complaint, other} <= {i["incidentId"] for i in b["data"]["incidentLog"]["items"]})

    page = await open_page()
    await log_in(page, stack, "ui.a.head")
    await page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Staff complaints").click()
    complaints = page.locator("[data-list='staff-complaints']")
    everything = page.locator("[data-list='staff-all']")
    opener = complaints.get_by_role("link", name="Complaint: staff member shared")
    await expect(opener).to_be_visible()
    await expect(complaints).not_to_contain_text("Staff laptop left unlocked")  # complaints only
    await expect(everything.get_by_role("link", name="Staff laptop left unlocked")).to_be_visible()
    await expect(everything.get_by_role("row").filter(has_text="shared pupil photos")
                 ).to_contain_text("Complaint")
    await snapshot(page, stack, "head-staff-complaints")
    await opener.click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("shared pupil photos")
    await expect(page.locator("dl.facts")).to_contain_text("Ict Tester (Staff)")
    await page.context.close()

    page = await open_page()
    await shut_out(page, stack, "ui.a.dsl", "Staff complaints", "staff")
    # The DSL (a safeguarding lead) may open the other staff incident but never the complaint.
    await page.goto(f"{stack.url}/#/incident/{A}/{other}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Staff laptop left")
    await page.goto(f"{stack.url}/#/incident/{A}/{complaint}")
    await expect(page.get_by_role("alert")).to_be_visible()
    await expect(page.locator("main")).not_to_contain_text("shared pupil photos")
