"""The register in pages and as a downloaded file; a parent following their own child."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from services.agreement.assess import today
from shared.claims import system_claims
from shared.passwords import hash_password
from shared.service import Service
from tests.e2e.conftest import LA, PASSWORD, A, Platform
from tests.e2e.helpers import error
from tests.support.procs import eventually

PAGE = """query($s: String!, $o: Int!, $l: Int!) {
  accessRegister(schoolId: $s, offset: $o, limit: $l) { total offset limit items { personId } } }"""
CREATE = """mutation($s: String!) {
  createAgreementTemplate(schoolId: $s, audience: PARENT_CONSENT, title: "Consent") }"""
PUBLISH = """mutation($i: PublishVersionInput!) {
  publishAgreementVersion(input: $i) { version } }"""
SIGN = "mutation($i: SignAgreementInput!) { signAgreement(input: $i) { personId status } }"
HISTORY = """query($s: String!, $p: String!) { agreementHistory(schoolId: $s, personId: $p) {
  entry audience actor } }"""


async def directory(platform: Platform, name: str, **body: Any) -> None:
    await platform.rpc.call("directory", name, {"school_id": A, **body}, system_claims(LA))


class TestRegisterPages:
    async def test_pages_cover_the_register_once_in_name_order(
            self, platform: Platform, agreement: Service) -> None:
        admin = await platform.token("a.admin")
        whole = (await platform.gql(PAGE, {"s": A, "o": 0, "l": 500}, admin))["data"]
        total = whole["accessRegister"]["total"]
        assert total == len(whole["accessRegister"]["items"]) >= 3
        seen: list[str] = []
        for offset in range(0, total, 2):
            page = (await platform.gql(PAGE, {"s": A, "o": offset, "l": 2}, admin))["data"]
            assert page["accessRegister"]["total"] == total
            seen += [r["personId"] for r in page["accessRegister"]["items"]]
        assert seen == [r["personId"] for r in whole["accessRegister"]["items"]]

    async def test_a_page_larger_than_allowed_is_refused(
            self, platform: Platform, agreement: Service) -> None:
        body = await platform.gql(PAGE, {"s": A, "o": 0, "l": 5000},
                                  await platform.token("a.admin"))
        assert error(body)["code"] == "invalid"


class TestRegisterDownload:
    async def test_the_register_downloads_as_a_csv_file(
            self, platform: Platform, agreement: Service) -> None:
        token = await platform.token("a.admin")
        resp = await platform.http.get("/agreements/register.csv",
                                       params={"schoolId": A, "kind": "STAFF"},
                                       headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"].startswith("text/csv")
        assert f'filename="access-register-{A}-' in resp.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(resp.text)))
        assert {r["person_id"] for r in rows} >= {"a-admin", "a-teacher", "a-staff"}
        assert {r["kind"] for r in rows} == {"staff"}

    async def test_bad_or_missing_callers_get_clear_errors(
            self, platform: Platform, agreement: Service) -> None:
        anonymous = await platform.http.get("/agreements/register.csv", params={"schoolId": A})
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "unauthenticated"
        other = await platform.http.get(
            "/agreements/register.csv", params={"schoolId": A},
            headers={"Authorization": f"Bearer {await platform.token('b.admin')}"})
        assert other.status_code == 403
        token = await platform.token("a.admin")
        for params in ({"schoolId": A, "colour": "red"}, {"schoolId": A, "status": "happy"}):
            bad = await platform.http.get("/agreements/register.csv", params=params,
                                          headers={"Authorization": f"Bearer {token}"})
            assert bad.status_code == 400, bad.text
            assert bad.json()["error"]["code"] == "invalid"


class TestParents:
    async def test_a_parent_reads_their_childs_history_and_no_one_elses(
            self, platform: Platform, agreement: Service) -> None:
        for pid, kind in (("a-child", "pupil"), ("a-other-child", "pupil"),
                          ("a-parent", "parent")):
            await directory(platform, "EnrolPerson", person_id=pid, kind=kind,
                            given_name=pid.split("-")[-1].title(), family_name="Family",
                            year_group=3 if kind == "pupil" else None)
        await directory(platform, "LinkGuardian", person_id="a-parent", pupil_id="a-child")
        await directory(platform, "OpenAccount", person_id="a-parent", username="a.parent",
                        password_hash=await hash_password(PASSWORD))
        admin = await platform.token("a.admin")
        tid = (await platform.gql(CREATE, {"s": A}, admin))["data"]["createAgreementTemplate"]
        published = await platform.gql(PUBLISH, {"i": {
            "schoolId": A, "templateId": tid, "text": "I consent to supervised access.",
            "effectiveFrom": str(today() - timedelta(days=1))}}, admin)
        assert not published.get("errors"), published

        async def login() -> dict[str, Any]:
            return await platform.gql(
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
                "{ token } }", {"u": "a.parent", "p": PASSWORD})

        parent = (await eventually(login, lambda b: not b.get("errors")))["data"]["login"]
        token = parent["token"]
        # The agreement service learns of the guardian link from the directory's events.
        signed = await eventually(
            lambda: platform.gql(SIGN, {"i": {"schoolId": A, "personId": "a-parent",
                                              "templateId": tid, "version": 1,
                                              "onBehalfOf": "a-child"}}, token),
            lambda b: not b.get("errors"))
        assert signed["data"]["signAgreement"]["personId"] == "a-child"

        wanted = {"entry": "signed", "audience": "PARENT_CONSENT", "actor": "a-parent"}
        await eventually(lambda: platform.gql(HISTORY, {"s": A, "p": "a-child"}, token),
                         lambda b: wanted in (b.get("data") or {}).get("agreementHistory", []))
        other = await platform.gql(HISTORY, {"s": A, "p": "a-other-child"}, token)
        assert error(other)["code"] == "forbidden"
        register = await platform.gql(PAGE, {"s": A, "o": 0, "l": 10}, token)
        assert error(register)["code"] == "forbidden"
