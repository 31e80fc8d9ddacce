"""The DSL's journeys: a live alert from an urgent grade, acknowledged; the incident it opened;
a teacher's report reaching the log; the agreements register with a paper signature."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.async_api import Page, expect

from services.agreement.assess import today
from tests.e2e.conftest import A
from tests.support.procs import eventually
from tests.ui.conftest import Stack, log_in, snapshot

ALERTS = """query($s: String!) { alerts(schoolId: $s) { items { captureId status
  acknowledgedBy acknowledgementNote } } }"""
LOG = """query($s: String!) { incidentLog(schoolId: $s) { items { incidentId description
  captureId reporter status chronology { entry detail } } } }"""
VIEWS = """query($s: String!, $c: String) { screenshotViews(schoolId: $s, captureId: $c) {
  items { viewer } } }"""
ONE = """query($s: String!, $i: String!) { incident(schoolId: $s, incidentId: $i) {
  status category assignee chronology { entry detail } } }"""


async def grade_urgent(page: Page, cid: str) -> None:
    """The moderator grades a capture urgent from the keyboard, with notes for the school."""
    await page.get_by_label("School", exact=True).select_option(A)
    row = page.locator(f"li[data-capture='{cid}']")
    await row.focus()
    await page.keyboard.press("n")
    await page.keyboard.type("disclosure of self-harm: act now")
    await page.keyboard.press("Escape")
    await expect(row).to_be_focused()
    await page.keyboard.press("5")
    await expect(row).to_have_count(0)


async def test_an_urgent_grade_reaches_the_dsl_live_and_is_acknowledged(
        stack: Stack, open_page: Any) -> None:
    cid = await stack.capture("live-1", "I want to hurt myself", severity=5)
    dsl = await open_page()
    await log_in(dsl, stack, "ui.a.dsl")
    await expect(dsl.get_by_role("heading", name="Alerts")).to_be_visible()
    await expect(dsl.get_by_text("Live: new alerts appear here")).to_be_visible()
    await dsl.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads

    mod = await open_page()
    await log_in(mod, stack, "ui.mod")
    await grade_urgent(mod, cid)

    alert = dsl.locator(f"li[data-capture='{cid}']")
    await expect(alert).to_be_visible()
    await expect(alert).to_contain_text("Urgent: Urgent child protection")
    await expect(alert).to_contain_text("disclosure of self-harm: act now")
    assert await dsl.evaluate("() => window.sameDocument") is True
    await snapshot(dsl, stack, "dsl-alerts")

    await alert.get_by_label("What was done").fill("pupil seen, parents called")
    await alert.get_by_role("button", name="Acknowledge").click()
    await expect(alert).to_have_count(0)
    token = await stack.platform.token("ui.a.dsl")
    body = await eventually(lambda: stack.platform.gql(ALERTS, {"s": A}, token),
                            lambda b: any(a["captureId"] == cid and a["status"] == "ACKNOWLEDGED"
                                          for a in b["data"]["alerts"]["items"]))
    [done] = [a for a in body["data"]["alerts"]["items"] if a["captureId"] == cid]
    assert (done["acknowledgedBy"], done["acknowledgementNote"]) == (
        "ui-a-dsl", "pupil seen, parents called")
    acknowledged = dsl.get_by_role("table").filter(has_text="pupil seen, parents called")
    await expect(acknowledged).to_be_visible()

    # The capture is listed as escalated; its screenshot opens for the DSL, and that is audited.
    escalated = dsl.get_by_role("table", name="Escalated captures")
    await escalated.get_by_role("link", name="I want to hurt myself").first.click()
    await dsl.get_by_role("button", name="View screenshot", exact=False).click()
    await expect(dsl.get_by_role("img", name="Screenshot of OAK-PC-7", exact=False)).to_be_visible()
    views = await eventually(lambda: stack.platform.gql(VIEWS, {"s": A, "c": cid}, token),
                             lambda b: b["data"]["screenshotViews"]["items"])
    assert {v["viewer"] for v in views["data"]["screenshotViews"]["items"]} == {"ui-a-dsl"}
    await dsl.get_by_role("link", name="Back to alerts").click()

    # The urgent grade opened an incident: it is in the DSL's log, and opens with its chronology.
    await dsl.get_by_role("link", name="Incident log").click()
    incident = await eventually(lambda: stack.platform.gql(LOG, {"s": A}, token),
                                lambda b: any(i["captureId"] == cid
                                              for i in b["data"]["incidentLog"]["items"]))
    [opened] = [i for i in incident["data"]["incidentLog"]["items"] if i["captureId"] == cid]
    await dsl.reload()
    await dsl.get_by_role("link", name=opened["description"]).first.click()
    await expect(dsl.get_by_role("heading", level=1)).to_contain_text("Incident:")
    await expect(dsl.get_by_role("heading", name="Chronology")).to_be_visible()


async def test_a_teacher_reports_and_the_dsl_works_the_incident(
        stack: Stack, open_page: Any) -> None:
    what = "Year 5 pupil shown a violent video on a phone at break"
    teacher = await open_page()
    await log_in(teacher, stack, "a.teacher")
    await teacher.get_by_label("What happened").fill(what)
    await teacher.get_by_label("How it came to light").select_option("PUPIL")
    await teacher.get_by_label("Pupils involved", exact=False).fill("Sam Pupil")
    await snapshot(teacher, stack, "teacher-report")
    await teacher.get_by_role("button", name="Report incident").click()
    await expect(teacher.get_by_role("status")).to_contain_text("the DSL can see it")

    token = await stack.platform.token("ui.a.dsl")
    await eventually(lambda: stack.platform.gql(LOG, {"s": A}, token), lambda b: what in {
        i["description"] for i in b["data"]["incidentLog"]["items"]})
    dsl = await open_page()
    await log_in(dsl, stack, "ui.a.dsl")
    await dsl.get_by_role("link", name="Incident log").click()
    await dsl.get_by_label("Status", exact=True).select_option("REPORTED")
    await dsl.get_by_role("link", name=what).click()
    await expect(dsl.get_by_role("heading", name=f"Incident: {what}")).to_be_visible()
    await expect(dsl.get_by_text("Sam Pupil (Pupil)")).to_be_visible()

    classify = dsl.get_by_role("form", name="Classify")
    await classify.get_by_label("Category (4 Cs)").select_option("CONTENT")
    await classify.get_by_role("button", name="Classify").click()
    note = dsl.get_by_role("form", name="Add to the chronology")
    await note.get_by_label("Text").fill("spoke to the class about reporting")
    await note.get_by_role("button", name="Add to the chronology").click()
    chronology = dsl.get_by_role("heading", name="Chronology").locator(
        "xpath=following-sibling::ol")
    await expect(chronology).to_contain_text("spoke to the class about reporting")
    assign = dsl.get_by_role("form", name="Assign")
    await assign.get_by_label("Assign to").select_option("ui-a-dsl")
    await assign.get_by_role("button", name="Assign").click()
    await expect(dsl.get_by_text("Under review").first).to_be_visible()
    await snapshot(dsl, stack, "incident-detail")

    [row] = [i for i in (await stack.platform.gql(LOG, {"s": A}, token))
             ["data"]["incidentLog"]["items"] if i["description"] == what]
    body = await eventually(lambda: stack.platform.gql(ONE, {"s": A, "i": row["incidentId"]},
                                                       token),
                            lambda b: b["data"]["incident"]["assignee"] == "ui-a-dsl")
    incident = body["data"]["incident"]
    assert (incident["status"], incident["category"]) == ("UNDER_REVIEW", "CONTENT")
    assert {"entry": "note", "detail": "spoke to the class about reporting"} in \
        incident["chronology"]
    await dsl.get_by_role("link", name="Back to the incident log").click()
    await dsl.get_by_label("Status", exact=True).select_option("")
    await expect(dsl.get_by_role("link", name=what)).to_be_visible()
    await snapshot(dsl, stack, "incident-log")


CREATE = """mutation($s: String!) {
  createAgreementTemplate(schoolId: $s, audience: STAFF, title: "Staff AUP") }"""
PUBLISH = """mutation($i: PublishVersionInput!) {
  publishAgreementVersion(input: $i) { version } }"""
REGISTER = """query($s: String!) { accessRegister(schoolId: $s, where: {kind: STAFF}) {
  items { personId status } } }"""


async def test_the_dsl_records_a_paper_signature(stack: Stack, open_page: Any) -> None:
    token = await stack.platform.token("ui.a.dsl")
    tid = (await stack.platform.gql(CREATE, {"s": A}, token))["data"]["createAgreementTemplate"]
    published = await stack.platform.gql(PUBLISH, {"i": {
        "schoolId": A, "templateId": tid, "text": "# Staff AUP\n\n- be kind",
        "effectiveFrom": str(today() - timedelta(days=1))}}, token)
    assert not published.get("errors"), published

    dsl = await open_page()
    await log_in(dsl, stack, "ui.a.dsl")
    await dsl.get_by_role("link", name="Agreements").click()
    teacher = dsl.get_by_role("table", name="People who must sign").get_by_role("row").filter(
        has_text="Teacher Seeded")
    await expect(teacher).to_be_visible()
    await snapshot(dsl, stack, "agreements")
    await teacher.get_by_role("button", name="Record paper signature for Teacher Seeded").click()
    await expect(teacher).to_have_count(0)
    await eventually(lambda: stack.platform.gql(REGISTER, {"s": A}, token),
                     lambda b: {"personId": "a-teacher", "status": "GRANTED"}
                     in b["data"]["accessRegister"]["items"])
    register = dsl.get_by_role("table", name="Internet-access register").get_by_role(
        "row").filter(has_text="Teacher Seeded")
    await expect(register).to_contain_text("Granted")
