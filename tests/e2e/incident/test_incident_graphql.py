"""The incident log through the gateway: report, classify, assign, note, close; the chronology
in order; the log as each role may see it."""

from __future__ import annotations

from typing import Any

from shared.service import Service
from tests.e2e.conftest import A, B, Platform
from tests.e2e.helpers import error
from tests.e2e.incident.conftest import DSL_ID, DSL_LOGIN
from tests.support.procs import eventually

REPORT = "mutation($i: ReportIncidentInput!) { reportIncident(input: $i) { incidentId status } }"
CLASSIFY = """mutation($i: ClassifyIncidentInput!) {
  classifyIncident(input: $i) { incidentId status } }"""
ASSIGN = """mutation($s: String!, $i: String!, $a: String!) {
  assignIncident(schoolId: $s, incidentId: $i, assignee: $a) { status } }"""
NOTE = """mutation($s: String!, $i: String!, $t: String!) {
  addIncidentNote(schoolId: $s, incidentId: $i, text: $t, kind: DECISION) { status } }"""
STATUS = """mutation($s: String!, $i: String!, $st: IncidentStatus!) {
  changeIncidentStatus(schoolId: $s, incidentId: $i, status: $st) { status } }"""
CLOSE = """mutation($s: String!, $i: String!, $o: String!) {
  closeIncident(schoolId: $s, incidentId: $i, outcome: $o) { status } }"""
INCIDENT = """query($s: String!, $i: String!) { incident(schoolId: $s, incidentId: $i) {
  status category incidentType cyberBullying childProtection reporter assignee outcome
  assigneeName involved { kind personId name } chronology { seq by byName entry detail } } }"""
LOG = """query($s: String!, $w: IncidentFilter) { incidentLog(schoolId: $s, where: $w) {
  total items { incidentId status } } }"""
HISTORY = """query($s: String!, $p: String!) { personHistory(schoolId: $s, personId: $p) {
  items { incidentId } } }"""


class TestIncidentLog:
    async def test_report_classify_assign_note_close_with_the_chronology_in_order(
            self, platform: Platform, incident: Service) -> None:
        teacher, dsl = await platform.token("a.teacher"), await platform.token(DSL_LOGIN)
        reported = await platform.gql(REPORT, {"i": {
            "schoolId": A, "occurredAt": "2026-10-05T10:30:00Z", "url": "https://chat.example",
            "description": "Pupil upset by messages in a group chat", "cameToLight": "PUPIL",
            "involved": [{"kind": "EXTERNAL", "name": "unknown sender"}]}}, teacher)
        assert not reported.get("errors"), reported
        iid = reported["data"]["reportIncident"]["incidentId"]
        assert reported["data"]["reportIncident"]["status"] == "REPORTED"

        steps: list[tuple[str, dict[str, Any], str]] = [
            (CLASSIFY, {"i": {"schoolId": A, "incidentId": iid, "category": "CONDUCT",
                              "incidentType": "social-media", "cyberBullying": True}},
             "REPORTED"),
            (ASSIGN, {"s": A, "i": iid, "a": DSL_ID}, "UNDER_REVIEW"),
            (NOTE, {"s": A, "i": iid, "t": "Parents to be informed"}, "UNDER_REVIEW"),
            (STATUS, {"s": A, "i": iid, "st": "ACTION_TAKEN"}, "ACTION_TAKEN"),
            (CLOSE, {"s": A, "i": iid, "o": "Parents met; chat left"}, "CLOSED"),
        ]
        for document, variables, expected in steps:
            body = await platform.gql(document, variables, dsl)
            assert not body.get("errors"), body
            assert next(iter(body["data"].values()))["status"] == expected

        # A closed incident is final: a clear error, not a silent no-op.
        again = await platform.gql(STATUS, {"s": A, "i": iid, "st": "ACTION_TAKEN"}, dsl)
        assert error(again)["code"] == "invalid"
        assert "cannot go from closed" in error(again)["message"]

        async def shown() -> dict[str, Any]:
            body = await platform.gql(INCIDENT, {"s": A, "i": iid}, dsl)
            assert not body.get("errors"), body
            found: dict[str, Any] = body["data"]["incident"]
            return found

        view = await eventually(shown, lambda v: v["status"] == "CLOSED")
        assert (view["category"], view["incidentType"], view["cyberBullying"],
                view["reporter"], view["assignee"], view["outcome"]) == (
            "CONDUCT", "social-media", True, "a-teacher", DSL_ID, "Parents met; chat left")
        assert view["involved"] == [{"kind": "EXTERNAL", "personId": None,
                                     "name": "unknown sender"}]
        chronology = view["chronology"]
        assert [e["seq"] for e in chronology] == sorted(e["seq"] for e in chronology)
        assert [(e["entry"], e["by"]) for e in chronology] == [
            ("reported", "a-teacher"), ("classified", DSL_ID), ("assigned", DSL_ID),
            ("status", DSL_ID), ("decision", DSL_ID), ("status", DSL_ID), ("closed", DSL_ID)]
        assert chronology[4]["detail"] == "Parents to be informed"
        # Names, not only ids: the directory's, as the incident service knows them.
        assert {e["byName"] for e in chronology} == {"Teacher Seeded", "Dee Esel"}
        assert view["assigneeName"] == "Dee Esel"

        # The teacher still sees what they reported; the log filters by status.
        log = await platform.gql(LOG, {"s": A, "w": {"status": "CLOSED"}}, teacher)
        assert iid in {i["incidentId"] for i in log["data"]["incidentLog"]["items"]}
        cp = await platform.gql(LOG, {"s": A, "w": {"childProtection": True}}, teacher)
        assert cp["data"]["incidentLog"]["total"] == 0

    async def test_a_teacher_cannot_handle_nor_another_school_read(
            self, platform: Platform, incident: Service) -> None:
        teacher = await platform.token("a.teacher")
        reported = await platform.gql(REPORT, {"i": {
            "schoolId": A, "occurredAt": "2026-10-06T09:00:00Z", "description": "x",
            "cameToLight": "STAFF", "involved": [{"kind": "PUPIL", "name": "a pupil"}]}},
            teacher)
        iid = reported["data"]["reportIncident"]["incidentId"]
        denied = await platform.gql(CLASSIFY, {"i": {"schoolId": A, "incidentId": iid,
                                                     "category": "CONTENT"}}, teacher)
        assert error(denied)["code"] == "forbidden"
        other = await platform.gql(LOG, {"s": A}, await platform.token("b.admin"))
        assert error(other)["code"] == "forbidden"
        own = await platform.gql(LOG, {"s": B}, await platform.token("b.admin"))
        assert own["data"]["incidentLog"]["total"] == 0
        history = await platform.gql(HISTORY, {"s": A, "p": "a-teacher"}, teacher)
        assert history["data"]["personHistory"]["items"] == []
