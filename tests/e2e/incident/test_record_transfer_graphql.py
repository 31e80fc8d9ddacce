"""A leaver's safeguarding record transferred between two schools of the LA, through the
gateway: a leaver at A, a joiner at B; A's DSL sends, B's DSL sees it pending and confirms;
both sides list it; another school's DSL sees nothing; a teacher is refused; A's incident
about that pupil alone is marked transferred, its text kept for the safeguarding leads."""

from __future__ import annotations

from datetime import date
from typing import Any

from shared.claims import system_claims
from shared.passwords import hash_password
from shared.service import Service
from tests.e2e.conftest import LA, PASSWORD, A, B, Platform, open_logins
from tests.e2e.helpers import error
from tests.e2e.incident.conftest import DSL_LOGIN
from tests.support.procs import eventually

C = "transfer-other"  # a third school of the LA
MOVER, OTHER, JOINER = "a-tr-mover", "a-tr-other", "b-tr-joiner"
REPORT = "mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { incidentId } }"
START = """mutation($s: String!, $p: String!, $to: String!) {
  startRecordTransfer(schoolId: $s, personId: $p, toSchoolId: $to, note: "CP file follows") {
    transferId dueOn incidents } }"""
CONFIRM = """mutation($s: String!, $t: String!, $p: String!) {
  confirmRecordTransfer(schoolId: $s, transferId: $t, personId: $p) { transferId } }"""
TRANSFERS = """query($s: String!, $p: String) { recordTransfers(schoolId: $s, personId: $p) {
  transferId schoolId toSchoolId personId pupilName note dueOn overdue joinerId receivedAt
  receivedBy incidents { incidentId summary } } }"""
SCHOOLS = "query($s: String!) { transferSchools(schoolId: $s) { schoolId name } }"
INCIDENT = """query($s: String!, $i: String!) { incident(schoolId: $s, incidentId: $i) {
  description transferredTo chronology { entry detail } } }"""


async def _setup(platform: Platform) -> None:
    system = system_claims(LA)

    async def directory(rpc: str, /, **body: Any) -> None:
        await platform.rpc.call("directory", rpc, body, system)

    await directory("OnboardSchool", school_id=C, la_id=LA, name="Other Primary", urn="100003",
                    phase="primary")
    for pid, school, given, family in ((MOVER, A, "Milo", "Mover"), (OTHER, A, "Olive", "Other"),
                                       (JOINER, B, "Milo", "Mover")):
        await directory("EnrolPerson", school_id=school, person_id=pid, kind="pupil",
                        given_name=given, family_name=family, year_group=6)
    await directory("EnrolPerson", school_id=C, person_id="c-tr-dsl", kind="staff",
                    given_name="Cy", family_name="Dsl")
    await directory("AssignRole", school_id=C, person_id="c-tr-dsl", role="dsl")
    await directory("OpenAccount", school_id=C, person_id="c-tr-dsl", username="c.trdsl",
                    password_hash=await hash_password(PASSWORD))
    # open_logins waits on A and B's lists: C's login, written before, is then applied too.
    await open_logins(platform, [("b-tr-dsl", B, "staff", "dsl", "b.trdsl")], "Tess")


async def _report(platform: Platform, token: str, text: str, pupils: list[str]) -> str:
    async def reported() -> dict[str, Any]:
        return await platform.gql(REPORT, {"i": {
            "schoolId": A, "occurredAt": "2026-10-05T10:30:00Z", "description": text,
            "cameToLight": "STAFF", "involved": [{"kind": "PUPIL", "personId": p}
                                                 for p in pupils]}}, token)

    # The incident service learns of the new pupils from the directory's events.
    body = await eventually(reported, lambda b: not b.get("errors"), within=60)
    iid: str = body["data"]["reportIncident"]["incidentId"]
    return iid


async def test_a_leavers_record_goes_to_the_joining_school_and_both_keep_it(
        platform: Platform, incident: Service) -> None:
    await _setup(platform)
    teacher, dsl_a = await platform.token("a.teacher"), await platform.token(DSL_LOGIN)
    dsl_b, dsl_c = await platform.token("b.trdsl"), await platform.token("c.trdsl")
    alone = await _report(platform, teacher, "Milo shared his password; Olive Other saw it",
                          [MOVER])
    shared = await _report(platform, teacher, "A falling-out in a group chat", [MOVER, OTHER])

    # Not yet a leaver: refused, with the reason.
    early = await platform.gql(START, {"s": A, "p": MOVER, "to": B}, dsl_a)
    assert error(early)["code"] == "invalid" and "leaver" in error(early)["message"]
    await platform.rpc.call("directory", "RecordLeaver", {
        "school_id": A, "person_id": MOVER, "left_on": date.today().isoformat(),
        "reason": "moved school"}, system_claims(LA))

    # Where it may go: the LA's other schools (not the LA itself), for the safeguarding leads.
    schools = await platform.gql(SCHOOLS, {"s": A}, dsl_a)
    assert [s["schoolId"] for s in schools["data"]["transferSchools"]] == [B, C]
    assert error(await platform.gql(SCHOOLS, {"s": A}, teacher))["code"] == "forbidden"
    refused = await platform.gql(START, {"s": A, "p": MOVER, "to": B}, teacher)
    assert error(refused)["code"] == "forbidden"

    async def start() -> dict[str, Any]:
        return await platform.gql(START, {"s": A, "p": MOVER, "to": B}, dsl_a)

    sent = (await eventually(start, lambda b: not b.get("errors"), within=60))[
        "data"]["startRecordTransfer"]
    assert sent["incidents"] == 2 and date.fromisoformat(sent["dueOn"]) > date.today()
    tid = sent["transferId"]
    again = await platform.gql(START, {"s": A, "p": MOVER, "to": B}, dsl_a)
    assert error(again)["code"] == "already_exists"

    async def listed(school: str, token: str, person: str | None = None) -> list[Any]:
        body = await platform.gql(TRANSFERS, {"s": school, "p": person}, token)
        assert not body.get("errors"), body
        found: list[Any] = body["data"]["recordTransfers"]
        return found

    [pending] = await eventually(lambda: listed(B, dsl_b), lambda got: len(got) == 1)
    assert (pending["transferId"], pending["schoolId"], pending["toSchoolId"],
            pending["pupilName"], pending["joinerId"], pending["receivedAt"],
            pending["overdue"]) == (tid, A, B, "Milo Mover", None, None, False)
    summaries = {i["incidentId"]: i["summary"] for i in pending["incidents"]}
    assert set(summaries) == {alone, shared}
    assert "[another pupil] saw it" in summaries[alone] and "Olive" not in summaries[alone]
    # Reading a pupil's transferred history is audited.
    views = await incident.kit.store.count(["RecordViewed"])
    await listed(B, dsl_b)
    assert await incident.kit.store.count(["RecordViewed"]) == views + 1

    # Nobody else: another school's DSL sees none, and may not read A's or B's.
    assert await listed(C, dsl_c) == []
    for school in (A, B):
        assert error(await platform.gql(TRANSFERS, {"s": school}, dsl_c))["code"] == "forbidden"
    assert error(await platform.gql(TRANSFERS, {"s": A}, teacher))["code"] == "forbidden"

    # Confirming is the receiving school's, by its safeguarding leads, once.
    wrong = await platform.gql(CONFIRM, {"s": A, "t": tid, "p": MOVER}, dsl_a)
    assert error(wrong)["code"] == "not_found"
    done = await platform.gql(CONFIRM, {"s": B, "t": tid, "p": JOINER}, dsl_b)
    assert not done.get("errors"), done
    twice = await platform.gql(CONFIRM, {"s": B, "t": tid, "p": JOINER}, dsl_b)
    assert error(twice)["code"] == "already_exists"

    [received] = await eventually(lambda: listed(B, dsl_b, JOINER),
                                  lambda got: len(got) == 1 and got[0]["receivedAt"])
    assert (received["joinerId"], received["receivedBy"]) == (JOINER, "b-tr-dsl")
    [kept] = await listed(A, dsl_a)
    assert kept["transferId"] == tid

    # A keeps the incident about the mover alone, its text for the safeguarding leads only.
    async def at_a(iid: str, token: str) -> dict[str, Any]:
        body = await platform.gql(INCIDENT, {"s": A, "i": iid}, token)
        assert not body.get("errors"), body
        found: dict[str, Any] = body["data"]["incident"]
        return found

    lead = await eventually(lambda: at_a(alone, dsl_a), lambda v: v["transferredTo"] == B)
    assert lead["description"].startswith("Milo shared")
    reporter = await at_a(alone, teacher)
    assert reporter["description"] == "" and reporter["transferredTo"] == B
    assert all(e["detail"] == "" for e in reporter["chronology"] if e["entry"] == "reported")
    assert (await at_a(shared, teacher))["transferredTo"] is None
