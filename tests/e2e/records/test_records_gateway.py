"""The audit trail and subject access requests through the gateway, with every service on
real NATS and SQLite: each sensitive read is recorded with who and from where, the trail is
the school's own, and a subject access bundle holds an item from every service with the
other pupil's name gone from both the JSON and the PDF."""

from __future__ import annotations

import json
from typing import Any

from services import SERVICES
from services.compliance.audit_trail import trail
from tests.e2e.conftest import A, B
from tests.e2e.helpers import error_code
from tests.e2e.records.conftest import (
    B_DSL_LOGIN,
    DSL_ID,
    DSL_LOGIN,
    DSL_NAME,
    HEAD_LOGIN,
    OTHER,
    OTHER_NAME,
    SUBJECT,
    SUBJECT_NAME,
    Records,
)
from tests.support.pdf import pdf_text
from tests.support.procs import eventually

SCREENSHOT = """mutation($s: String!, $c: String!) { viewScreenshot(schoolId: $s, captureId: $c) {
  contentType } }"""
INCIDENT = """query($s: String!, $i: String!) { incident(schoolId: $s, incidentId: $i) {
  childProtection } }"""
HISTORY = """query($s: String!, $p: String!) { agreementHistory(schoolId: $s, personId: $p) {
  entry } }"""
INCIDENTS_OF = """query($s: String!, $p: String!) { personHistory(schoolId: $s, personId: $p) {
  total } }"""
TRAIL = """query($s: String, $p: String, $k: RecordKind, $v: String, $o: Int, $l: Int) {
  auditTrail(schoolId: $s, personId: $p, kind: $k, viewer: $v, offset: $o, limit: $l) {
    total offset limit items { schoolId kind recordId subjects action viewer viewerName
      roles ip userAgent at } } }"""
REQUEST = """mutation($s: String!, $p: String!) { requestSubjectAccess(schoolId: $s, personId: $p) {
  requestId personId jsonUrl pdfUrl } }"""


async def trail_of(records: Records, token: str, **variables: Any) -> dict[str, Any]:
    body = await records.platform.gql(TRAIL, variables, token)
    assert not body.get("errors"), body
    page: dict[str, Any] = body["data"]["auditTrail"]
    return page


async def download(records: Records, url: str, token: str) -> bytes:
    resp = await records.platform.http.get(url, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    return resp.content


class TestAuditTrail:
    async def test_each_sensitive_read_is_recorded_with_its_origin(self,
                                                                   records: Records) -> None:
        p = records.platform
        dsl = await p.token(DSL_LOGIN)
        reads = [(SCREENSHOT, {"s": A, "c": records.capture_id}),
                 (INCIDENT, {"s": A, "i": records.incident_id}),
                 (HISTORY, {"s": A, "p": SUBJECT}), (INCIDENTS_OF, {"s": A, "p": SUBJECT})]
        for query, variables in reads:
            body = await p.gql(query, variables, dsl)
            assert not body.get("errors"), body

        found = await eventually(lambda: trail_of(records, dsl, s=A, v=DSL_ID),
                                 lambda page: page["total"] >= 4)
        seen = {(e["kind"], e["recordId"], e["action"]) for e in found["items"]}
        assert {("SCREENSHOT", records.capture_id, "ViewScreenshot"),
                ("INCIDENT", records.incident_id, "GetIncident"),
                ("PERSON_HISTORY", SUBJECT, "GetHistory"),
                ("PERSON_HISTORY", SUBJECT, "PersonHistory")} <= seen
        for entry in found["items"]:
            assert (entry["viewer"], entry["viewerName"], entry["roles"]) == (
                DSL_ID, DSL_NAME, ["dsl"])
            assert entry["ip"] == "127.0.0.1" and entry["userAgent"].startswith("python-httpx")
            assert SUBJECT in entry["subjects"]
        incident_read = next(e for e in found["items"] if e["kind"] == "INCIDENT")
        assert sorted(incident_read["subjects"]) == sorted([SUBJECT, OTHER])

        by_person = await trail_of(records, dsl, s=A, p=OTHER, k="INCIDENT")
        assert {e["recordId"] for e in by_person["items"]} == {records.incident_id}
        paged = await trail_of(records, dsl, s=A, v=DSL_ID, o=1, l=2)
        assert (paged["total"], paged["offset"], len(paged["items"])) == (found["total"], 1, 2)

    async def test_the_trail_is_the_schools_own_and_the_las(self, records: Records) -> None:
        p = records.platform
        dsl, other_dsl = await p.token(DSL_LOGIN), await p.token(B_DSL_LOGIN)
        assert not (await p.gql(INCIDENT, {"s": A, "i": records.incident_id}, dsl)).get("errors")
        la = await p.token("la.admin")
        everything = await eventually(lambda: trail_of(records, la),
                                      lambda page: page["total"] >= 1)
        assert A in {e["schoolId"] for e in everything["items"]}

        assert error_code(await p.gql(TRAIL, {"s": A}, other_dsl)) == "forbidden"
        assert error_code(await p.gql(TRAIL, {}, other_dsl)) == "forbidden"
        assert (await trail_of(records, other_dsl, s=B))["total"] == 0
        teacher = await p.token("a.teacher")
        assert error_code(await p.gql(TRAIL, {"s": A}, teacher)) == "forbidden"

    async def test_no_update_or_delete_reaches_the_trail(self, records: Records) -> None:
        dsl = await records.platform.token(DSL_LOGIN)
        assert not (await records.platform.gql(HISTORY, {"s": A, "p": SUBJECT}, dsl)).get(
            "errors")
        before = await eventually(lambda: trail_of(records, dsl, s=A),
                                  lambda page: page["total"] >= 1)
        db = records.services["compliance"].db
        for change in (trail.update().values(viewer="someone else"), trail.delete()):
            try:
                async with db.begin() as conn:
                    await conn.execute(change)
            except Exception as exc:  # the database's trigger refuses
                assert "append-only" in str(exc)
            else:
                raise AssertionError(f"{change} was allowed")
        after = await trail_of(records, dsl, s=A, l=500)
        assert after["total"] >= before["total"]  # nothing deleted
        assert "someone else" not in {e["viewer"] for e in after["items"]}  # nothing changed


class TestSubjectAccess:
    async def test_the_bundle_is_complete_redacted_and_audited(self, records: Records) -> None:
        p = records.platform
        head = await p.token(HEAD_LOGIN)
        # Someone reads Sally's history first, so the bundle has a view of it to show.
        assert not (await p.gql(HISTORY, {"s": A, "p": SUBJECT}, head)).get("errors")
        await eventually(lambda: trail_of(records, head, s=A, p=SUBJECT, v="a-sar-head"),
                         lambda page: page["total"] >= 1)

        asked = await p.gql(REQUEST, {"s": A, "p": SUBJECT}, head)
        assert not asked.get("errors"), asked
        request = asked["data"]["requestSubjectAccess"]
        assert request["personId"] == SUBJECT

        raw = await download(records, request["jsonUrl"], head)
        bundle = json.loads(raw)
        parts = {part["service"]: part["items"] for part in bundle["parts"]}
        assert set(parts) == set(SERVICES)
        assert all(parts.values()), {k: len(v) for k, v in parts.items()}
        assert parts["directory"][0]["data"]["given_name"] == "Sally"
        assert {i["id"] for i in parts["capture"]} == {records.capture_id}
        assert {i["id"] for i in parts["incident"]} == {records.incident_id}
        assert parts["sanction"][0]["data"]["person_id"] == SUBJECT
        assert any(i["data"]["viewer"] == "a-sar-head" for i in parts["compliance"])
        assert any(i["kind"].startswith("agreement") for i in parts["agreement"])
        assert {"name for reports", "report fact person"} <= {i["kind"]
                                                             for i in parts["reporting"]}

        text = raw.decode()
        assert OTHER_NAME not in text and OTHER not in text
        assert "[another pupil]" in text
        assert SUBJECT_NAME in text and DSL_NAME in text  # staff acting in role stay named

        pdf = pdf_text(await download(records, request["pdfUrl"], head))
        assert SUBJECT_NAME.encode() in pdf and b"[another pupil]" in pdf
        assert OTHER_NAME.encode() not in pdf and OTHER.encode() not in pdf

        exports = await eventually(
            lambda: trail_of(records, head, s=A, p=SUBJECT, k="SUBJECT_ACCESS"),
            lambda page: page["total"] >= 3)
        assert {e["action"] for e in exports["items"]} >= {"request", "export json",
                                                           "export pdf"}

    async def test_only_the_dsl_head_and_la_admin_may_ask(self, records: Records) -> None:
        p = records.platform
        for login in ("a.teacher", B_DSL_LOGIN):
            body = await p.gql(REQUEST, {"s": A, "p": SUBJECT}, await p.token(login))
            assert error_code(body) == "forbidden", login
        asked = await p.gql(REQUEST, {"s": A, "p": SUBJECT}, await p.token("la.admin"))
        url = asked["data"]["requestSubjectAccess"]["jsonUrl"]
        other = await p.http.get(url, headers={
            "Authorization": f"Bearer {await p.token(B_DSL_LOGIN)}"})
        assert other.status_code == 404  # another school's request does not exist for them
        assert (await p.http.get(url)).status_code == 401
