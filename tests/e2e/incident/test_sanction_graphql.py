"""Sanctions through the gateway: the incident types from the matrices, a recommendation taken
and overridden, who sees child-protection and staff incidents and their sanctions, and
another school seeing nothing of Oakridge's log or sanctions."""

from __future__ import annotations

from typing import Any

from shared.service import Service
from tests.e2e.conftest import A, B, Platform
from tests.e2e.helpers import error
from tests.e2e.incident.conftest import DSL_LOGIN, HEAD_LOGIN, PUPIL_ID
from tests.e2e.incident.test_incident_graphql import CLASSIFY, INCIDENT, LOG, REPORT
from tests.support.procs import eventually

TYPES = """query($s: String!, $a: SanctionAudience) { incidentTypes(schoolId: $s, audience: $a) {
  audience key label matrixVersion } }"""
MATRIX = """query($s: String!, $a: SanctionAudience!) { sanctionMatrix(schoolId: $s, audience: $a)
  { version rows { key actions } escalation { actions } actions { key effect sanction } } }"""
RECOMMENDATIONS = """query($s: String!, $i: String!) {
  sanctionRecommendations(schoolId: $s, incidentId: $i) { personId personName audience
    incidentType escalated actions { action status reason notes by } } }"""
HISTORY = """query($s: String!, $p: String!) { personSanctions(schoolId: $s, personId: $p) {
  incidentId } }"""
TASKS = "query($s: String!) { openSanctionTasks(schoolId: $s) { taskId personId } }"
TAKE = """mutation($s: String!, $i: String!, $p: String!, $a: String!, $n: String!) {
  takeSanctionAction(schoolId: $s, incidentId: $i, personId: $p, action: $a, notes: $n) {
    events } }"""
SKIP = """mutation($s: String!, $i: String!, $p: String!, $a: String!, $r: String!) {
  skipSanctionAction(schoolId: $s, incidentId: $i, personId: $p, action: $a, reason: $r) {
    events } }"""


async def report(platform: Platform, token: str, involved: list[dict[str, Any]],
                 incident_type: str | None = None, child_protection: bool = False,
                 classifier: str | None = None) -> str:
    body = await platform.gql(REPORT, {"i": {
        "schoolId": A, "occurredAt": "2026-10-07T09:00:00Z", "description": "seen in class",
        "cameToLight": "STAFF", "involved": involved}}, token)
    assert not body.get("errors"), body
    iid: str = body["data"]["reportIncident"]["incidentId"]
    if incident_type or child_protection:
        done = await platform.gql(CLASSIFY, {"i": {
            "schoolId": A, "incidentId": iid, "category": "CONDUCT",
            "incidentType": incident_type, "childProtection": child_protection}},
            classifier or token)
        assert not done.get("errors"), done
    return iid


async def recommendations(platform: Platform, iid: str, token: str) -> list[dict[str, Any]]:
    async def found() -> list[dict[str, Any]]:
        body = await platform.gql(RECOMMENDATIONS, {"s": A, "i": iid}, token)
        assert not body.get("errors"), body
        recs: list[dict[str, Any]] = body["data"]["sanctionRecommendations"]
        return recs

    return await eventually(found, bool)


class TestSanctions:
    async def test_types_recommendation_take_and_skip(self, platform: Platform,
                                                      incident: Service) -> None:
        teacher, dsl = await platform.token("a.teacher"), await platform.token(DSL_LOGIN)
        types = await platform.gql(TYPES, {"s": A, "a": "PUPIL"}, teacher)
        keys = {t["key"] for t in types["data"]["incidentTypes"]}
        assert len(keys) == 12 and "proxy-sites" in keys
        matrix = await platform.gql(MATRIX, {"s": A, "a": "STAFF"}, teacher)
        assert matrix["data"]["sanctionMatrix"]["escalation"]["actions"] == [
            "headteacher", "disciplinary"]

        unknown = await platform.gql(CLASSIFY, {"i": {
            "schoolId": A, "incidentId": await report(platform, teacher, []),
            "incidentType": "cyber-bullying"}}, dsl)
        assert error(unknown)["code"] == "invalid"
        assert "not an incident type" in error(unknown)["message"]

        iid = await report(platform, teacher, [{"kind": "PUPIL", "personId": PUPIL_ID}],
                           "proxy-sites", classifier=dsl)
        [rec] = await recommendations(platform, iid, dsl)
        assert (rec["personName"], rec["audience"], rec["escalated"]) == ("Pip Pupil", "PUPIL",
                                                                          False)
        assert [a["action"] for a in rec["actions"]] == ["headteacher", "remove_access",
                                                         "further_sanction"]
        base = {"s": A, "i": iid, "p": PUPIL_ID}
        taken = await platform.gql(TAKE, {**base, "a": "headteacher", "n": "told the head"},
                                   dsl)
        assert taken["data"]["takeSanctionAction"]["events"] == ["ActionTaken"]
        no_reason = await platform.gql(SKIP, {**base, "a": "further_sanction", "r": " "}, dsl)
        assert (error(no_reason)["code"], error(no_reason)["field"]) == ("invalid", "reason")
        skipped = await platform.gql(SKIP, {**base, "a": "further_sanction",
                                            "r": "first incident"}, dsl)
        assert not skipped.get("errors"), skipped

        async def actions() -> list[tuple[str, str]]:
            [r] = await recommendations(platform, iid, dsl)
            return [(a["action"], a["status"]) for a in r["actions"]]

        assert await eventually(actions, lambda a: a == [
            ("headteacher", "taken"), ("remove_access", "recommended"),
            ("further_sanction", "skipped")]) is not None
        # The teacher reported it and sees the incident, but not the pupil's sanctions.
        hidden = await platform.gql(RECOMMENDATIONS, {"s": A, "i": iid}, teacher)
        assert hidden["data"]["sanctionRecommendations"] == []
        denied = await platform.gql(TAKE, {**base, "a": "remove_access", "n": ""}, teacher)
        assert error(denied)["code"] == "forbidden"

    async def test_a_teacher_sees_neither_child_protection_nor_staff_incidents(
            self, platform: Platform, incident: Service) -> None:
        teacher, dsl = await platform.token("a.teacher"), await platform.token(DSL_LOGIN)
        head = await platform.token(HEAD_LOGIN)
        cp = await report(platform, dsl, [{"kind": "PUPIL", "personId": PUPIL_ID}],
                          child_protection=True)
        staff = await report(platform, dsl, [{"kind": "STAFF", "personId": "a-staff"}],
                             "personal-use")
        plain = await report(platform, dsl, [{"kind": "PUPIL", "personId": PUPIL_ID}])

        async def log(token: str) -> set[str]:
            body = await platform.gql(LOG, {"s": A}, token)
            return {i["incidentId"] for i in body["data"]["incidentLog"]["items"]}

        await eventually(lambda: log(head), lambda f: {cp, staff, plain} <= f)
        seen = await log(teacher)
        assert plain in seen and cp not in seen and staff not in seen
        for hidden in (cp, staff):
            body = await platform.gql(INCIDENT, {"s": A, "i": hidden}, teacher)
            assert error(body)["code"] == "not_found"
        # The staff member's sanctions: the head's, not the DSL's (who sees the incident).
        [rec] = await recommendations(platform, staff, head)
        assert [a["action"] for a in rec["actions"]] == ["headteacher", "warning",
                                                         "disciplinary"]
        for token in (dsl, teacher):
            body = await platform.gql(RECOMMENDATIONS, {"s": A, "i": staff}, token)
            assert body["data"]["sanctionRecommendations"] == []
            body = await platform.gql(HISTORY, {"s": A, "p": "a-staff"}, token)
            assert body["data"]["personSanctions"] == []

    async def test_another_school_sees_nothing_of_oakridges_log_or_sanctions(
            self, platform: Platform, incident: Service) -> None:
        dsl, other = await platform.token(DSL_LOGIN), await platform.token("b.admin")
        iid = await report(platform, dsl, [{"kind": "PUPIL", "personId": PUPIL_ID}],
                           "mobile-device")
        await recommendations(platform, iid, dsl)
        for document, variables in (
                (LOG, {"s": A}), (INCIDENT, {"s": A, "i": iid}), (TYPES, {"s": A}),
                (MATRIX, {"s": A, "a": "PUPIL"}), (RECOMMENDATIONS, {"s": A, "i": iid}),
                (HISTORY, {"s": A, "p": PUPIL_ID}), (TASKS, {"s": A})):
            body = await platform.gql(document, variables, other)
            assert error(body)["code"] == "forbidden", (document, body)
        # Naming its own school does not reach Oakridge's records either.
        own = await platform.gql(RECOMMENDATIONS, {"s": B, "i": iid}, other)
        assert own["data"]["sanctionRecommendations"] == []
        own_history = await platform.gql(HISTORY, {"s": B, "p": PUPIL_ID}, other)
        assert own_history["data"]["personSanctions"] == []
        taken = await platform.gql(TAKE, {"s": B, "i": iid, "p": PUPIL_ID, "a": "headteacher",
                                          "n": ""}, other)
        assert error(taken)["code"] == "not_found"
