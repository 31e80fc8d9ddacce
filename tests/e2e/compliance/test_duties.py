"""Staff training, filtering-log summaries and reminders through the gateway: a CSV register
with bad rows, who is overdue per school and for the LA (scoped), a filtering batch with bad
items sent twice, and reminders mailed to the head once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from shared.claims import system_claims
from shared.events import now
from shared.service import Service
from tests.e2e.conftest import LA, A, B, Platform, key_for
from tests.e2e.helpers import error
from tests.support.procs import eventually

RECORD = "mutation($i: RecordTrainingInput!) { recordTraining(input: $i) }"
IMPORT = """mutation($s: String!, $csv: String!) { importTraining(schoolId: $s, csv: $csv) {
  accepted duplicates rejected results { index status field reason ref } } }"""
STATUS = """query($s: String!, $o: Boolean!) { trainingStatus(schoolId: $s, overdueOnly: $o) {
  personId name overdue reason dueOn lastInduction lastRefresher } }"""
RECORDS = """query($s: String!) { trainingRecords(schoolId: $s) { personId kind provider } }"""
LA_TRAINING = "{ laTrainingOverdue { schoolId personId reason } }"
LA_STANDING = "{ laFilteringStandards { schoolId staff trainingOverdue } }"
SUMMARIES = """query($s: String!) { filteringSummaries(schoolId: $s) { total items {
  productSummaryId blocked allowed categories { category blocked allowed }
  users { username category blocked } } } }"""
SEND = "mutation { sendComplianceReminders }"
REMINDERS = """query($s: String!) { complianceReminders(schoolId: $s) {
  subject about overdue recipients } }"""

HEAD, TA = "a-head-duties", "a-ta-duties"


def day(days: int = 0) -> str:
    return str(now().date() + timedelta(days=days))


@pytest.fixture(scope="module")
async def staffed(platform: Platform, compliance: Service) -> None:
    """A head (who is reminded) and a teaching assistant at Oakridge, with addresses."""
    system = system_claims(LA)
    for pid, email, role in ((HEAD, "head@oakridge.example", "headteacher"),
                             (TA, "ta@oakridge.example", None)):
        await platform.rpc.call("directory", "EnrolPerson", {
            "school_id": A, "person_id": pid, "kind": "staff", "given_name": pid.split("-")[1],
            "family_name": "Duties", "email": email}, system)
        if role:
            await platform.rpc.call("directory", "AssignRole",
                                    {"school_id": A, "person_id": pid, "role": role}, system)
    admin = await platform.token("a.admin")
    await eventually(lambda: platform.gql(STATUS, {"s": A, "o": False}, admin),
                     lambda b: {HEAD, TA} <= {r["personId"]
                                              for r in (b.get("data") or {}).get(
                                                  "trainingStatus") or []})


async def ok(platform: Platform, doc: str, variables: dict[str, Any], token: str
             ) -> dict[str, Any]:
    body = await platform.gql(doc, variables, token)
    assert not body.get("errors"), body
    return dict(body["data"])


async def test_training_register_and_who_is_overdue(platform: Platform, staffed: None) -> None:
    admin = await platform.token("a.admin")
    rid = (await ok(platform, RECORD, {"i": {
        "schoolId": A, "personId": TA, "kind": "INDUCTION", "completedOn": day(-20),
        "provider": "Northshire LA", "evidence": "certificate on file"}}, admin))["recordTraining"]
    assert rid == f"{TA}:induction:{day(-20)}"
    again = await platform.gql(RECORD, {"i": {"schoolId": A, "personId": TA,
                                              "kind": "INDUCTION", "completedOn": day(-20),
                                              "provider": "Northshire LA"}}, admin)
    assert error(again)["code"] == "already_exists"

    csv = ("person_id,email,kind,completed_on,provider,evidence\n"
           f",head@oakridge.example,induction,{day(-400)},LA,register\n"  # lapsed: overdue
           f"{TA},,induction,{day(-20)},Northshire LA,\n"  # already recorded
           ",nobody@oakridge.example,refresher,2026-01-05,LA,\n"  # not on the staff
           "b-pupil,,induction,2026-01-05,LA,\n"  # another school's pupil
           f"a-teacher,,refresher,{day(5)},LA,\n"  # in the future
           "a-teacher,,yearly,2026-01-05,LA,\n")  # no such kind
    report = (await ok(platform, IMPORT, {"s": A, "csv": csv}, admin))["importTraining"]
    assert (report["accepted"], report["duplicates"], report["rejected"]) == (1, 1, 4)
    assert [(r["status"], r["field"]) for r in report["results"]] == [
        ("accepted", None), ("duplicate", None), ("rejected", "email"),
        ("rejected", "person_id"), ("rejected", "completed_on"), ("rejected", "kind")]

    found = await eventually(lambda: ok(platform, STATUS, {"s": A, "o": False}, admin),
                             lambda d: any(r["personId"] == HEAD and r["lastInduction"]
                                           for r in d["trainingStatus"]))
    rows = {r["personId"]: r for r in found["trainingStatus"]}
    assert (rows[TA]["overdue"], rows[TA]["dueOn"]) == (False, day(-20 + 365))
    assert (rows[HEAD]["overdue"], rows[HEAD]["reason"]) == (True,
                                                             f"refresher due {day(-400 + 365)}")
    assert rows["a-teacher"]["reason"] == "no induction recorded"
    overdue = (await ok(platform, STATUS, {"s": A, "o": True}, admin))["trainingStatus"]
    assert TA not in {r["personId"] for r in overdue} and HEAD in {r["personId"]
                                                                    for r in overdue}
    recorded = (await ok(platform, RECORDS, {"s": A}, admin))["trainingRecords"]
    assert {(r["personId"], r["kind"]) for r in recorded} >= {(TA, "INDUCTION"),
                                                              (HEAD, "INDUCTION")}

    # The LA sees every school's overdue staff; a school sees only its own.
    la = await platform.token("la.admin")
    everyone = (await ok(platform, LA_TRAINING, {}, la))["laTrainingOverdue"]
    assert {(A, HEAD), (B, "b-admin")} <= {(r["schoolId"], r["personId"]) for r in everyone}
    assert TA not in {r["personId"] for r in everyone}
    standing = {r["schoolId"]: r for r in (await ok(platform, LA_STANDING, {}, la))[
        "laFilteringStandards"]}
    # Nobody at B has training recorded: all its staff are overdue (other modules on this
    # shared platform may have enrolled more of them).
    assert standing[B]["trainingOverdue"] == standing[B]["staff"] >= 1
    assert standing[A]["trainingOverdue"] == standing[A]["staff"] - 1  # all but the TA
    other = await platform.token("b.admin")
    assert error(await platform.gql(STATUS, {"s": A, "o": False}, other))["code"] == "forbidden"
    assert error(await platform.gql(LA_TRAINING, {}, other))["code"] == "forbidden"
    teacher = await platform.token("a.teacher")  # staff's training is not every teacher's
    assert error(await platform.gql(STATUS, {"s": A, "o": False}, teacher))["code"] == \
        "forbidden"
    assert error(await platform.gql(RECORD, {"i": {
        "schoolId": A, "personId": TA, "kind": "REFRESHER", "completedOn": day(),
        "provider": "x"}}, teacher))["code"] == "forbidden"


def summary(sid: str, **over: Any) -> dict[str, Any]:
    end = now().replace(minute=0, second=0, microsecond=0)
    return {"product": "Netsweeper", "product_summary_id": sid,
            "period_start": (end - timedelta(days=1)).isoformat(), "period_end": end.isoformat(),
            "categories": [{"category": "Pornography", "blocked": 14, "allowed": 0},
                           {"category": "Social Networking", "blocked": 3, "allowed": 120}],
            "users": [{"username": "OAK\\j.smith", "category": "Pornography", "blocked": 9,
                       "allowed": 0}], **over}


async def test_filtering_summaries_with_bad_items_and_resends(platform: Platform,
                                                              compliance: Service) -> None:
    key = await key_for(platform, A, ["filtering:write"])
    batch = [summary("ns-1"), summary("ns-2", categories=[{"category": "x", "blocked": -1,
                                                             "allowed": 0}]),
             summary("ns-1"), "not an object",
             summary("ns-3", period_end=(now() + timedelta(days=2)).isoformat())]
    sent = await platform.http.post("/integrations/filtering", json={"summaries": batch},
                                    headers=key)
    assert sent.status_code == 200, sent.text
    report = sent.json()
    assert (report["accepted"], report["duplicates"], report["rejected"]) == (1, 1, 3)
    by_index = {r["index"]: r for r in report["results"]}
    assert by_index[1]["field"] == "categories.0.blocked"
    assert by_index[4]["field"] == "period_end" and "future" in by_index[4]["reason"]
    resent = (await platform.http.post("/integrations/filtering", json=summary("ns-1"),
                                       headers=key)).json()
    assert (resent["accepted"], resent["duplicates"]) == (0, 1)

    wrong_scope = await key_for(platform, A, ["captures:write"])
    refused = await platform.http.post("/integrations/filtering", json=summary("ns-9"),
                                       headers=wrong_scope)
    assert refused.status_code == 403
    other = await platform.http.post(f"/integrations/filtering?schoolId={B}",
                                     json=summary("ns-9"), headers=key)
    assert other.status_code == 403
    garbage = await platform.http.post("/integrations/filtering", content=b"{", headers=key)
    assert garbage.status_code == 400 and garbage.json()["error"]["code"] == "invalid"

    admin = await platform.token("a.admin")
    found = (await eventually(lambda: ok(platform, SUMMARIES, {"s": A}, admin),
                              lambda d: d["filteringSummaries"]["total"] >= 1)
             )["filteringSummaries"]
    assert found["total"] == 1
    assert found["items"][0] | {"categories": None, "users": None} == {
        "productSummaryId": "ns-1", "blocked": 17, "allowed": 120, "categories": None,
        "users": None}
    assert found["items"][0]["users"] == [{"username": "OAK\\j.smith",
                                           "category": "Pornography", "blocked": 9}]
    # The username is kept beside the event, in the service's own table, not in the event.
    async with compliance.db.read() as conn:
        stored = " ".join(str(row.payload) for row in await conn.execute(
            text("SELECT payload FROM events WHERE type = 'FilteringSummaryReceived'")))
    assert "Pornography" in stored and "j.smith" not in stored
    b_admin = await platform.token("b.admin")
    assert error(await platform.gql(SUMMARIES, {"s": A}, b_admin))["code"] == "forbidden"


async def mails(folder: Path) -> list[Any]:
    def read() -> list[Any]:
        return [message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]

    return await asyncio.to_thread(read)


async def test_reminders_go_to_the_head_once(platform: Platform, staffed: None,
                                             compliance: Service) -> None:
    la = await platform.token("la.admin")
    admin = await platform.token("a.admin")
    first = (await ok(platform, SEND, {}, la))["sendComplianceReminders"]
    assert (await ok(platform, SEND, {}, la))["sendComplianceReminders"] == []
    # Both never trained (a teacher) and lapsed (the head, in the register test) are due.
    found = await eventually(lambda: ok(platform, REMINDERS, {"s": A}, admin),
                             lambda d: len(d["complianceReminders"]) >= len(first))
    reminders = found["complianceReminders"]
    assert all(r["recipients"] == ["head Duties"] for r in reminders)
    training = {r["about"] for r in reminders if r["subject"] == "TRAINING"}
    assert {"Teacher Seeded", "head Duties"} <= training
    assert "ta Duties" not in training  # trained: nothing due
    # Glenfield names no head or e-safety co-ordinator: no one to mail, nothing sent.
    assert not [i for i in first if i.startswith(f"{B}:")]
    folder = compliance.settings.data_dir / "mail"
    sent = await eventually(lambda: mails(folder),
                            lambda m: any("training" in str(x["Subject"]) for x in m))
    assert {str(m["To"]) for m in sent} == {"head@oakridge.example"}
    assert error(await platform.gql(SEND, {}, admin))["code"] == "forbidden"
