"""Agreements through the gateway: publish, sign online and on paper, read the register."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.agreement.assess import today
from shared.service import Service
from tests.e2e.conftest import A, B, Platform
from tests.e2e.helpers import error
from tests.support.procs import eventually

CREATE = """mutation($s: String!) {
  createAgreementTemplate(schoolId: $s, audience: STAFF, title: "Staff AUP") }"""
PUBLISH = """mutation($i: PublishVersionInput!) {
  publishAgreementVersion(input: $i) { templateId version } }"""
SIGN = "mutation($i: SignAgreementInput!) { signAgreement(input: $i) { personId status } }"
REGISTER = """query($s: String!) { accessRegister(schoolId: $s, where: {kind: STAFF}) {
  total items { personId status reason signed { audience version signedOn } } } }"""
CSV = "query($s: String!) { accessRegisterCsv(schoolId: $s) }"
HISTORY = """query($s: String!, $p: String!) { agreementHistory(schoolId: $s, personId: $p) {
  entry audience version method actor } }"""
OUTSTANDING = """query($s: String!) { outstandingSignatures(schoolId: $s) {
  personId audience signedVersion latestVersion } }"""
ENFORCE = "mutation($s: String!, $d: Date!) { enforceGracePeriods(schoolId: $s, asOf: $d) }"
TEMPLATES = """query($s: String!) { agreementTemplates(schoolId: $s) {
  templateId audience versions { version publishedBy } } }"""


class TestAgreements:
    async def test_staff_sign_and_the_register_shows_their_access(
            self, platform: Platform, agreement: Service) -> None:
        admin = await platform.token("a.admin")
        created = await platform.gql(CREATE, {"s": A}, admin)
        tid = created["data"]["createAgreementTemplate"]
        published = await platform.gql(PUBLISH, {"i": {
            "schoolId": A, "templateId": tid, "text": "# Staff AUP\n\n- be kind",
            "effectiveFrom": str(today() - timedelta(days=1))}}, admin)
        assert published["data"]["publishAgreementVersion"] == {"templateId": tid, "version": 1}

        teacher = await platform.token("a.teacher")
        signed = await platform.gql(SIGN, {"i": {"schoolId": A, "personId": "a-teacher",
                                                 "templateId": tid, "version": 1}}, teacher)
        assert signed == {"data": {"signAgreement": {"personId": "a-teacher",
                                                     "status": "GRANTED"}}}, signed
        paper = await platform.gql(SIGN, {"i": {
            "schoolId": A, "personId": "a-staff", "templateId": tid, "version": 1,
            "method": "PAPER", "signedOn": str(today())}}, admin)
        assert paper["data"]["signAgreement"]["status"] == "GRANTED", paper

        async def register() -> dict[str, Any]:
            page = (await platform.gql(REGISTER, {"s": A}, admin))["data"]["accessRegister"]
            assert page["total"] == len(page["items"])
            return {r["personId"]: r for r in page["items"]}

        rows = await eventually(register, lambda r: r.get("a-staff", {}).get("status")
                                == "GRANTED")
        assert rows["a-teacher"]["signed"] == [{"audience": "STAFF", "version": 1,
                                                "signedOn": str(today())}]
        assert rows["a-admin"]["status"] == "NONE"
        csv = (await platform.gql(CSV, {"s": A}, admin))["data"]["accessRegisterCsv"]
        assert "a-teacher,Teacher Seeded,staff,,,granted" in csv
        history = (await platform.gql(HISTORY, {"s": A, "p": "a-staff"}, admin))["data"]
        assert [h["entry"] for h in history["agreementHistory"]] == ["signed", "access granted"]
        assert history["agreementHistory"][0]["method"] == "PAPER"
        assert history["agreementHistory"][0]["actor"] == "a-staff"

    async def test_a_teacher_cannot_sign_for_someone_else_online(
            self, platform: Platform, agreement: Service) -> None:
        body = await platform.gql(SIGN, {"i": {"schoolId": A, "personId": "a-admin",
                                               "templateId": f"{A}.staff", "version": 1}},
                                  await platform.token("a.teacher"))
        assert error(body)["code"] == "forbidden"

    async def test_another_school_sees_nothing(self, platform: Platform,
                                               agreement: Service) -> None:
        token = await platform.token("b.admin")
        for query in (REGISTER, CSV, TEMPLATES):
            assert error(await platform.gql(query, {"s": A}, token))["code"] == "forbidden"
        own = (await platform.gql(TEMPLATES, {"s": B}, token))["data"]["agreementTemplates"]
        assert all(t["templateId"].startswith(f"{B}.") for t in own)


class TestNewVersion:
    async def test_holders_must_sign_again_within_the_grace_period(
            self, platform: Platform, agreement: Service) -> None:
        admin = await platform.token("b.admin")
        tid = (await platform.gql(CREATE, {"s": B}, admin))["data"]["createAgreementTemplate"]

        async def publish(effective: str) -> None:
            done = await platform.gql(PUBLISH, {"i": {
                "schoolId": B, "templateId": tid, "text": "# AUP", "effectiveFrom": effective,
                "graceDays": 3}}, admin)
            assert not done.get("errors"), done

        await publish(str(today() - timedelta(days=10)))
        signed = await platform.gql(SIGN, {"i": {"schoolId": B, "personId": "b-admin",
                                                 "templateId": tid, "version": 1}}, admin)
        assert signed["data"]["signAgreement"]["status"] == "GRANTED", signed
        await publish(str(today()))

        async def outstanding() -> list[dict[str, Any]]:
            rows = (await platform.gql(OUTSTANDING, {"s": B}, admin))["data"]
            return list(rows["outstandingSignatures"])

        rows = await eventually(outstanding, lambda rows: any(
            r["personId"] == "b-admin" and r["latestVersion"] == 2 for r in rows))
        assert {"personId": "b-admin", "audience": "STAFF", "signedVersion": 1,
                "latestVersion": 2} in rows
        still = await platform.gql(ENFORCE, {"s": B, "d": str(today() + timedelta(days=2))},
                                   admin)
        assert still == {"data": {"enforceGracePeriods": 0}}
        ended = await platform.gql(ENFORCE, {"s": B, "d": str(today() + timedelta(days=3))},
                                   admin)
        assert ended == {"data": {"enforceGracePeriods": 1}}
