"""Integrator keys and the MIS roster sync, through the gateway (GraphQL and OneRoster upload)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.directory.integrations.rows import person_id_for
from shared.claims import system_claims
from tests.e2e.conftest import LA, A, B, Platform
from tests.e2e.helpers import PEOPLE, error
from tests.support import oneroster
from tests.support.procs import eventually

ISSUE = """mutation($s: String!, $n: String!, $sc: [ApiScope!]!, $e: DateTime) {
  issueApiKey(schoolId: $s, name: $n, scopes: $sc, expiresAt: $e) { keyId secret } }"""
REVOKE = """mutation($s: String!, $k: String!) {
  revokeApiKey(schoolId: $s, keyId: $k) { keyId revokedBy revokedAt } }"""
KEYS = """query($s: String!) { apiKeys(schoolId: $s) {
  keyId name scopes createdBy revokedAt lastUsedAt uses } }"""
SYNC = """mutation($s: String!, $m: SyncMode!, $p: [RosterPersonInput!]!) {
  syncRoster(schoolId: $s, mode: $m, people: $p) {
    mode created updated unchanged left rejected { row misId reason } } }"""
ME = "{ me { personId schoolId roles } }"

ROSTER: list[dict[str, Any]] = [
    {"misId": "R-P1", "kind": "PUPIL", "givenName": "Ada", "familyName": "Lovelace",
     "yearGroup": 5, "className": "5B", "dateOfBirth": "2015-05-01"},
    {"misId": "R-P2", "kind": "PUPIL", "givenName": "Alan", "familyName": "Turing",
     "yearGroup": 0, "className": "RA", "dateOfBirth": "2020-09-09"},
    {"misId": "R-T1", "kind": "STAFF", "givenName": "Grace", "familyName": "Hopper",
     "email": "grace@oakridge.example", "roles": ["TEACHER"]},
    {"misId": "R-G1", "kind": "PARENT", "givenName": "Mary", "familyName": "Lovelace",
     "guardianOf": ["R-P1"], "relationship": "mother"},
]


async def as_key(platform: Platform, query: str, variables: dict[str, Any],
                 key: str, header: str = "authorization") -> dict[str, Any]:
    value = f"ApiKey {key}" if header == "authorization" else key
    resp = await platform.http.post("/graphql", json={"query": query, "variables": variables},
                                    headers={header: value})
    assert resp.status_code < 500, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def issue(platform: Platform, school: str = A, admin: str = "a.admin",
                expires: datetime | None = None, scopes: tuple[str, ...] = ("ROSTER_WRITE",)
                ) -> dict[str, str]:
    body = await platform.gql(ISSUE, {"s": school, "n": "Arbor MIS", "sc": list(scopes),
                                      "e": expires.isoformat() if expires else None},
                              await platform.token(admin))
    assert not body.get("errors"), body
    issued: dict[str, str] = body["data"]["issueApiKey"]
    return issued


async def new_school(platform: Platform) -> tuple[str, str]:
    """A school of its own LA (the seeded LA's schools stay as other tests expect), and a key."""
    tag = uuid.uuid4().hex[:8]
    la, school, system = f"la-{tag}", f"roster-{tag}", system_claims(f"la-{tag}")
    await platform.rpc.call("directory", "EstablishAuthority", {"la_id": la, "name": "Elsewhere"},
                            system)
    await platform.rpc.call("directory", "OnboardSchool", {
        "school_id": school, "la_id": la, "name": "Roster Primary", "urn": "100009",
        "phase": "primary"}, system)
    issued = await platform.rpc.call("directory", "IssueApiKey", {
        "school_id": school, "name": "MIS", "scopes": ["roster:write"]}, system)
    return school, issued["secret"]


async def upload(platform: Platform, key: str, data: bytes, mode: str) -> Any:
    return await platform.http.post(f"/integrations/oneroster?mode={mode}", content=data,
                                    headers={"Authorization": f"ApiKey {key}",
                                             "Content-Type": "application/zip"})


class TestApiKeys:
    async def test_issued_by_the_school_admin_and_listed_without_secrets(
            self, platform: Platform) -> None:
        issued = await issue(platform)
        assert issued["secret"].startswith(f"esk_{issued['keyId']}_")
        me = await as_key(platform, ME, {}, issued["secret"], header="x-api-key")
        assert me["data"]["me"] == {"personId": f"key:{issued['keyId']}", "schoolId": A,
                                    "roles": ["INTEGRATOR"]}
        keys = (await platform.gql(KEYS, {"s": A}, await platform.token("a.admin")))
        mine = next(k for k in keys["data"]["apiKeys"] if k["keyId"] == issued["keyId"])
        assert mine["scopes"] == ["ROSTER_WRITE"] and mine["createdBy"] == "a-admin"
        assert mine["uses"] == 1 and mine["lastUsedAt"] is not None
        assert issued["secret"] not in str(keys)

    async def test_a_teacher_or_another_school_cannot_issue(self, platform: Platform) -> None:
        for admin, school in (("a.teacher", A), ("b.admin", A)):
            body = await platform.gql(ISSUE, {"s": school, "n": "x", "sc": ["ROSTER_WRITE"]},
                                      await platform.token(admin))
            assert error(body)["code"] == "forbidden"

    async def test_a_key_cannot_use_human_operations(self, platform: Platform) -> None:
        key = (await issue(platform))["secret"]
        before = await platform.events()
        for query, variables in ((PEOPLE, {"s": A}), (KEYS, {"s": A}),
                                 (ISSUE, {"s": A, "n": "x", "sc": ["ROSTER_WRITE"]})):
            assert error(await as_key(platform, query, variables, key))["code"] == "forbidden"
        assert await platform.events() == before

    async def test_revoked_and_expired_keys_are_refused_clearly(self, platform: Platform) -> None:
        revoked = await issue(platform)
        body = await platform.gql(REVOKE, {"s": A, "k": revoked["keyId"]},
                                  await platform.token("a.admin"))
        assert body["data"]["revokeApiKey"]["revokedBy"] == "a-admin"
        expiring = await issue(platform, expires=datetime.now(UTC) + timedelta(seconds=1))
        await asyncio.sleep(1.2)
        for key, says in ((revoked, "was revoked on"), (expiring, "expired on"),
                          ({"secret": "esk_0000000000000000_nope"}, "unknown API key")):
            err = error(await as_key(platform, SYNC, {"s": A, "m": "DELTA", "p": []},
                                     key["secret"]))
            assert err["code"] == "unauthenticated" and says in err["message"], err

    async def test_a_key_without_the_scope_cannot_sync(self, platform: Platform) -> None:
        key = (await issue(platform, scopes=("CAPTURES_WRITE",)))["secret"]
        body = await as_key(platform, SYNC, {"s": A, "m": "DELTA", "p": ROSTER}, key)
        assert error(body)["code"] == "forbidden"


class TestGraphQLSync:
    async def test_sync_report_idempotence_and_full_leavers(self, platform: Platform) -> None:
        key = (await issue(platform))["secret"]
        first = (await as_key(platform, SYNC, {"s": A, "m": "DELTA", "p": ROSTER}, key))
        assert first["data"]["syncRoster"] == {
            "mode": "DELTA", "created": ["R-P1", "R-P2", "R-T1", "R-G1"], "updated": [],
            "unchanged": [], "left": [], "rejected": []}
        ids = {person_id_for(A, m) for m in ("R-P1", "R-P2", "R-T1", "R-G1")}
        await eventually(lambda: platform.people_of(A), lambda found: ids <= found)

        before = await platform.events()
        again = (await as_key(platform, SYNC, {"s": A, "m": "DELTA", "p": ROSTER}, key))
        assert again["data"]["syncRoster"]["unchanged"] == ["R-P1", "R-P2", "R-T1", "R-G1"]
        assert again["data"]["syncRoster"]["created"] == again["data"]["syncRoster"]["updated"]
        assert await platform.events() == before

        moved = [ROSTER[0] | {"className": "5C"}, ROSTER[2], ROSTER[3]]  # R-P2 is gone
        full = (await as_key(platform, SYNC, {"s": A, "m": "FULL", "p": moved}, key))
        assert full["data"]["syncRoster"] == {
            "mode": "FULL", "created": [], "updated": ["R-P1"], "unchanged": ["R-T1", "R-G1"],
            "left": ["R-P2"], "rejected": []}

        async def leavers() -> set[str]:
            page = await platform.rpc.call("directory", "ListPeople", {
                "school_id": A, "include_leavers": True, "limit": 200}, system_claims(LA))
            return {p["person_id"] for p in page["items"] if p["left_on"]}

        await eventually(leavers, lambda found: person_id_for(A, "R-P2") in found)

    async def test_bad_rows_are_rejected_alone(self, platform: Platform) -> None:
        school, key = await new_school(platform)
        rows = [ROSTER[0] | {"dateOfBirth": "2015-02-30"}, ROSTER[1],
                ROSTER[2] | {"roles": ["SCHOOL_ADMIN"]}, ROSTER[3] | {"guardianOf": ["R-NO"]},
                ROSTER[1] | {"givenName": "Twice"}, ROSTER[0] | {"misId": "R-P9",
                                                                  "yearGroup": None}]
        report = (await as_key(platform, SYNC, {"s": school, "m": "DELTA", "p": rows}, key))
        found = report["data"]["syncRoster"]
        assert found["created"] == []
        assert {(r["row"], r["misId"]) for r in found["rejected"]} == {
            ("people[0]", "R-P1"), ("people[1]", "R-P2"), ("people[2]", "R-T1"),
            ("people[3]", "R-G1"), ("people[4]", "R-P2"), ("people[5]", "R-P9")}
        reasons = {r["row"]: r["reason"] for r in found["rejected"]}
        assert "date_of_birth" in reasons["people[0]"]
        assert reasons["people[1]"] == reasons["people[4]"] == "duplicate id R-P2"
        assert "school_admin" in reasons["people[2]"]
        assert reasons["people[3]"] == "unknown pupil R-NO"
        assert reasons["people[5]"] == "a pupil needs a year group"


class TestTenancy:
    async def test_an_oakridge_key_cannot_touch_glenfield(self, platform: Platform) -> None:
        key = (await issue(platform))["secret"]
        before, before_b = await platform.events(), await platform.people_of(B)
        body = await as_key(platform, SYNC, {"s": B, "m": "FULL", "p": ROSTER}, key)
        assert error(body)["code"] == "forbidden"
        resp = await platform.http.post(
            f"/integrations/oneroster?mode=full&schoolId={B}", content=oneroster.with_errors(),
            headers={"X-Api-Key": key})
        assert resp.status_code == 403 and resp.json()["error"]["code"] == "forbidden"
        assert await platform.events() == before
        assert await platform.people_of(B) == before_b


class TestOneRoster:
    async def test_a_bundle_with_errors_gives_the_exact_report(self, platform: Platform) -> None:
        _, key = await new_school(platform)
        resp = await upload(platform, key, oneroster.with_errors(), "full")
        assert resp.status_code == 200, resp.text
        report = resp.json()
        assert report["created"] == oneroster.WITH_ERRORS_CREATED
        assert (report["classes_recorded"], report["classes_closed"]) == (["C5B", "CRA"], [])
        assert (report["updated"], report["unchanged"], report["left"]) == ([], [], [])
        assert {(r["row"], r["mis_id"], r["reason"]) for r in report["rejected"]} \
            == oneroster.WITH_ERRORS_REJECTED
        assert len(report["rejected"]) == len(oneroster.WITH_ERRORS_REJECTED)

        before = await platform.events()
        again = (await upload(platform, key, oneroster.with_errors(), "full")).json()
        assert again["unchanged"] == oneroster.WITH_ERRORS_CREATED
        assert again["created"] == again["updated"] == again["left"] == []
        assert again["classes_recorded"] == []
        assert await platform.events() == before

        without_p2 = (await upload(platform, key, oneroster.with_errors(drop={"P2"}), "full"))
        assert without_p2.json()["left"] == ["P2"]
        delta = (await upload(platform, key, oneroster.with_errors(drop={"P1"}), "delta"))
        assert delta.json()["left"] == [] and "P1" not in delta.json()["unchanged"]

    async def test_classes_are_records_with_teachers_and_pupils(
            self, platform: Platform) -> None:
        school, key = await new_school(platform)
        assert (await upload(platform, key, oneroster.with_errors(), "full")).status_code == 200
        la = system_claims(school.replace("roster-", "la-"))

        async def classes() -> dict[str, dict[str, Any]]:
            found = await platform.rpc.call("directory", "ListClasses",
                                            {"school_id": school}, la)
            return {c["mis_id"]: c for c in found}

        found = await eventually(classes, lambda c: bool(c.get("C5B", {}).get("teachers")))
        assert (found["C5B"]["name"], found["C5B"]["year_group"]) == ("5B", 5)
        assert [t["name"] for t in found["C5B"]["teachers"]] == ["Grace Hopper"]
        assert found["C5B"]["pupils"] == 1 and found["CRA"]["pupils"] == 1

        # A full sync without RA closes it (and its pupil, now in an unknown class, stays).
        closed = (await upload(platform, key, oneroster.with_errors(drop={"CRA"}), "full"))
        assert closed.json()["classes_closed"] == ["CRA"]
        assert ("users.csv:3", "P2", "unknown class CRA") in {
            (r["row"], r["mis_id"], r["reason"]) for r in closed.json()["rejected"]}
        assert closed.json()["left"] == []
        await eventually(classes, lambda c: set(c) == {"C5B"})

    async def test_refuses_what_is_not_a_bundle(self, platform: Platform) -> None:
        key = (await issue(platform))["secret"]
        resp = await upload(platform, key, b"not a zip", "delta")
        assert resp.status_code == 400 and resp.json()["error"]["code"] == "invalid"
        resp = await platform.http.post("/integrations/oneroster", content=b"")
        assert resp.status_code == 401


class TestAdminSync:
    async def test_a_school_admin_may_sync_but_a_teacher_may_not(self, platform: Platform) -> None:
        row = {"misId": "ADM-1", "kind": "PUPIL", "givenName": "Ada", "familyName": "L",
               "yearGroup": 2}
        teacher = await platform.gql(SYNC, {"s": A, "m": "DELTA", "p": [row]},
                                     await platform.token("a.teacher"))
        assert error(teacher)["code"] == "forbidden"
        body = await platform.gql(SYNC, {"s": B, "m": "DELTA", "p": [row]},
                                  await platform.token("la.admin"))
        assert body["data"]["syncRoster"]["created"] == ["ADM-1"]
