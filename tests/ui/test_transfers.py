"""Record transfers: Oakridge's DSL sends a leaver's record (with the incident about her) to
Glenfield; Glenfield's DSL sees it awaiting receipt and confirms it against the joiner; Oakridge
then sees it received. The ICT lead has no such page."""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.async_api import expect

from services.incident import transfer_views
from shared.claims import system_claims
from shared.events import now
from tests.e2e.conftest import LA, A, B
from tests.e2e.incident.test_incident_graphql import REPORT
from tests.support.procs import eventually
from tests.ui.conftest import Stack, axe_serious, log_in, shut_out, snapshot

LEAVER, JOINER = "ui-a-leaver", "ui-b-joiner"  # Lena Leaver at Oakridge, then at Glenfield
TRANSFERS = "query($s: String!) { recordTransfers(schoolId: $s) { transferId } }"


async def _a_leaver_and_a_joiner(stack: Stack) -> None:
    system = system_claims(LA)
    for pid, school in ((LEAVER, A), (JOINER, B)):
        await stack.platform.rpc.call("directory", "EnrolPerson", {
            "school_id": school, "person_id": pid, "kind": "pupil", "given_name": "Lena",
            "family_name": "Leaver", "year_group": 6}, system)
    teacher = await stack.platform.token("a.teacher")
    # The incident service learns of the pupil from the directory's events.
    await eventually(lambda: stack.platform.gql(REPORT, {"i": {
        "schoolId": A, "occurredAt": now().isoformat(), "cameToLight": "STAFF",
        "description": "Lena shared her password with a friend",
        "involved": [{"kind": "PUPIL", "personId": LEAVER}]}}, teacher),
        lambda b: not b.get("errors"), within=60)
    await stack.platform.rpc.call("directory", "RecordLeaver", {
        "school_id": A, "person_id": LEAVER, "left_on": date.today().isoformat(),
        "reason": "moved school"}, system)
    db = stack.services["incident"].kit.db
    await eventually(lambda: transfer_views.pupil(db, A, LEAVER),
                     lambda p: p is not None and p.left_on is not None)
    await eventually(lambda: transfer_views.pupil(db, B, JOINER), lambda p: p is not None)


async def test_a_record_sent_by_one_dsl_is_confirmed_by_the_other_schools(
        stack: Stack, open_page: Any) -> None:
    await _a_leaver_and_a_joiner(stack)
    page = await open_page()
    await log_in(page, stack, "ui.a.dsl")
    await page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Record transfers").click()
    await expect(page.get_by_text("No records have been sent or received.")).to_be_visible()
    send = page.get_by_role("form", name="Send a leaver's record")
    await send.get_by_label("Leaver").select_option(LEAVER)
    # The LA's other schools, by name (not Oakridge itself, nor the LA).
    await expect(send.get_by_label("Receiving school").locator("option")).to_have_text(
        ["Glenfield Academy"])
    await send.get_by_label("Receiving school").select_option(B)
    await send.get_by_label("Note for the receiving DSL").fill("Paper CP file follows by post")
    await send.get_by_role("button", name="Send record").click()
    await expect(send.get_by_role("status")).to_contain_text(
        "Lena Leaver's record sent to Glenfield Academy with 1 incident; receipt due by")
    sent = page.locator("tr[data-transfer]")
    await expect(sent).to_contain_text("Sent to Glenfield Academy")
    await expect(sent).to_contain_text("Awaiting receipt")
    await page.get_by_role("button", name="Log out").click()

    dsl_b = await stack.platform.token("ui.b.dsl")
    await eventually(lambda: stack.platform.gql(TRANSFERS, {"s": B}, dsl_b),
                     lambda b: len(b["data"]["recordTransfers"]) == 1)
    await log_in(page, stack, "ui.b.dsl")
    await page.goto(f"{stack.url}/#/transfers")
    incoming = page.locator("tr[data-transfer]")
    await expect(incoming).to_contain_text("From Oakridge Primary")
    await expect(incoming).to_contain_text("Paper CP file follows by post")
    await incoming.get_by_text("1 sent").click()  # the incident as sent, other pupils redacted
    await expect(incoming).to_contain_text("Lena shared her password with a friend")
    await expect(page.locator(".loading")).to_have_count(0)
    assert await axe_serious(page) == []
    await snapshot(page, stack, "record-transfer-incoming")
    confirm = page.get_by_role("form", name="Confirm receipt of Lena Leaver's record")
    await expect(confirm.get_by_label("The joiner at this school")).to_have_value(JOINER)
    await confirm.get_by_role("button", name="Confirm receipt").click()
    await expect(incoming).to_contain_text("Received")
    await expect(confirm).to_have_count(0)
    await page.get_by_role("button", name="Log out").click()

    await log_in(page, stack, "ui.a.dsl")
    await page.goto(f"{stack.url}/#/transfers")
    await expect(page.locator("tr[data-transfer]")).to_contain_text("by Dsl Tester")
    await page.get_by_role("button", name="Log out").click()

    await shut_out(page, stack, "ui.a.ict", "Record transfers", "transfers")
