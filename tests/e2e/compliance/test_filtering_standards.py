"""The DfE filtering and monitoring standards through the gateway: named roles, the annual
review, the log of checks, the policy document, and the LA's view of who is overdue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.events import now
from shared.service import Service
from tests.e2e.conftest import A, B, Platform
from tests.e2e.helpers import error
from tests.support.procs import eventually

ASSIGN = """mutation($i: AssignResponsibilityInput!) { assignResponsibility(input: $i) }"""
REVIEW = """mutation($i: RecordProvisionReviewInput!) { recordProvisionReview(input: $i) }"""
CHECK = """mutation($i: RecordProvisionCheckInput!) { recordProvisionCheck(input: $i) }"""
PUBLISH = """mutation($i: PublishPolicyVersionInput!) { publishPolicyVersion(input: $i) }"""
STANDARDS = """query($s: String!) { filteringStandards(schoolId: $s) {
  holders { responsibility holder } missing reviewOverdue policyReviewOverdue
  lastReview { reviewedOn nextDue findings } lastCheck { whatTested result checkedBy }
  policy { version namedRoles { role holder } } } }"""
CHECKS = """query($s: String!) { provisionChecks(schoolId: $s) { total items { checkId } } }"""
LA = """{ laFilteringStandards { schoolId missing reviewOverdue policyReviewOverdue } }"""


def today(days: int = 0) -> str:
    return str(now().date() + timedelta(days=days))


async def test_a_school_keeps_its_record_and_sees_what_is_overdue(
        platform: Platform, compliance: Service) -> None:
    admin = await platform.token("a.admin")

    async def run(doc: str, variables: dict[str, Any], token: str = admin) -> dict[str, Any]:
        body = await platform.gql(doc, variables, token)
        assert not body.get("errors"), body
        return dict(body["data"])

    await run(ASSIGN, {"i": {"schoolId": A, "responsibility": "IT_PROVIDER",
                             "holder": "Northshire Schools ICT"}})
    await run(REVIEW, {"i": {"schoolId": A, "reviewedOn": today(-30), "findings": "Fine.",
                             "participants": ["Head", "Governor"]}})
    check_id = (await run(CHECK, {"i": {"schoolId": A, "checkedOn": today(),
                                        "whatTested": "test filtering page on Y6 laptops",
                                        "result": "PARTLY"}}))["recordProvisionCheck"]
    assert check_id
    await run(PUBLISH, {"i": {"schoolId": A, "title": "E-Safety Policy",
                              "effectiveFrom": today(-30), "nextReview": today(335),
                              "namedRoles": [{"role": "e-safety co-ordinator",
                                              "holder": "Emma Perkin"}]}})

    teacher = await platform.token("a.teacher")  # staff may read the school's record
    found = await eventually(lambda: run(STANDARDS, {"s": A}, teacher),
                             lambda d: d["filteringStandards"]["policy"] is not None)
    standards = found["filteringStandards"]
    assert standards["holders"] == [{"responsibility": "IT_PROVIDER",
                                     "holder": "Northshire Schools ICT"}]
    assert set(standards["missing"]) == {"SENIOR_LEADER", "GOVERNOR", "DSL"}
    assert standards["lastReview"]["nextDue"] == today(-30 + 365)
    assert (standards["reviewOverdue"], standards["policyReviewOverdue"]) == (False, False)
    assert standards["lastCheck"] == {"whatTested": "test filtering page on Y6 laptops",
                                      "result": "PARTLY", "checkedBy": "a-admin"}
    assert standards["policy"]["namedRoles"] == [{"role": "e-safety co-ordinator",
                                                  "holder": "Emma Perkin"}]
    checks = await run(CHECKS, {"s": A}, teacher)
    assert checks["provisionChecks"]["items"][0]["checkId"] == check_id

    # The LA sees both schools: Glenfield has recorded nothing, so it is overdue and first.
    la = await platform.token("la.admin")
    rows = (await eventually(lambda: run(LA, {}, la),
                             lambda d: {r["schoolId"] for r in d["laFilteringStandards"]}
                             >= {A, B}))["laFilteringStandards"]
    by_school = {r["schoolId"]: r for r in rows}
    assert by_school[B] == {"schoolId": B, "missing": ["SENIOR_LEADER", "GOVERNOR", "DSL",
                                                       "IT_PROVIDER"],
                            "reviewOverdue": True, "policyReviewOverdue": True}
    assert by_school[A]["reviewOverdue"] is False
    assert [r["schoolId"] for r in rows].index(B) < [r["schoolId"] for r in rows].index(A)


async def test_who_may_write_read_and_what_is_refused(platform: Platform,
                                                      compliance: Service) -> None:
    check = {"i": {"schoolId": A, "checkedOn": today(), "whatTested": "x", "result": "PASSED"}}
    assert error(await platform.gql(CHECK, check, await platform.token("a.teacher")))[
        "code"] == "forbidden"
    other = await platform.token("b.admin")
    assert error(await platform.gql(STANDARDS, {"s": A}, other))["code"] == "forbidden"
    assert error(await platform.gql(LA, {}, other))["code"] == "forbidden"
    admin = await platform.token("a.admin")
    future = {"i": {"schoolId": A, "reviewedOn": today(3), "findings": "Fine."}}
    refused = error(await platform.gql(REVIEW, future, admin))
    assert refused["code"] == "invalid" and "future" in refused["message"]
