"""Retention through the gateway: the LA's admin sets the periods, a school sets its own only
where the LA allows, and the school's people read what applies to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.capture.handlers import build as build_capture
from shared.natsserver import NatsServer
from shared.service import Service
from tests.e2e.conftest import A, Platform
from tests.e2e.helpers import error
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually

POLICY = """mutation($i: SetRetentionPolicyInput!) { setRetentionPolicy(input: $i) }"""
OVERRIDE = """mutation($i: SetRetentionOverrideInput!) { setRetentionOverride(input: $i) }"""
RETENTION = """query($s: String!) { retention(schoolId: $s) {
  periods { recordType months setBySchool schoolMaySet } } }"""
MONTHS = [{"recordType": "SCREENSHOT", "months": 3}, {"recordType": "CAPTURE_TEXT", "months": 12},
          {"recordType": "CAPTURE_METADATA", "months": 72},
          {"recordType": "INCIDENT_TEXT", "months": 84}]


async def test_the_la_sets_retention_and_a_school_overrides_where_allowed(
        platform: Platform, compliance: Service) -> None:
    la, school = await platform.token("la.admin"), await platform.token("a.admin")
    teacher = await platform.token("a.teacher")

    async def run(doc: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        body = await platform.gql(doc, variables, token)
        assert not body.get("errors"), body
        return dict(body["data"])

    refused = await platform.gql(POLICY, {"i": {"months": MONTHS}}, school)
    assert error(refused)["code"] == "forbidden"  # only the LA sets the policy
    await run(POLICY, {"i": {"months": MONTHS, "schoolMaySet": ["SCREENSHOT"]}}, la)
    await eventually(lambda: run(RETENTION, {"s": A}, teacher),
                     lambda d: len(d["retention"]["periods"]) == 4)

    await run(OVERRIDE, {"i": {"schoolId": A, "recordType": "SCREENSHOT", "months": 1}}, school)
    not_allowed = await platform.gql(OVERRIDE, {"i": {"schoolId": A, "recordType":
                                                      "CAPTURE_TEXT", "months": 1}}, school)
    assert error(not_allowed)["code"] == "forbidden"
    found = await eventually(lambda: run(RETENTION, {"s": A}, teacher), lambda d: any(
        p["setBySchool"] for p in d["retention"]["periods"]))
    assert {p["recordType"]: (p["months"], p["setBySchool"], p["schoolMaySet"])
            for p in found["retention"]["periods"]} == {
        "SCREENSHOT": (1, True, True), "CAPTURE_TEXT": (12, False, False),
        "CAPTURE_METADATA": (72, False, False), "INCIDENT_TEXT": (84, False, False)}


RUN = """mutation($k: RecordKeeper!) { runPurge(keeper: $k) { records checked } }"""
LOG = """query($k: RecordKeeper!, $s: String!) { purgeLog(keeper: $k, schoolId: $s) {
  total items { recordId fields removedOn reason } } }"""


async def test_the_la_runs_a_purge_and_reads_the_log(
        platform: Platform, e2e_nats: NatsServer, tmp_path: Path) -> None:
    la, school = await platform.token("la.admin"), await platform.token("a.admin")
    async with running("capture", build_capture, settings_for(e2e_nats.url, tmp_path)):
        ran = await platform.gql(RUN, {"k": "CAPTURE"}, la)
        assert ran == {"data": {"runPurge": {"records": 0, "checked": 0}}}
        assert error(await platform.gql(RUN, {"k": "CAPTURE"}, school))["code"] == "forbidden"
        log = await platform.gql(LOG, {"k": "CAPTURE", "s": A}, la)
        assert log == {"data": {"purgeLog": {"total": 0, "items": []}}}
        # The school's admin is not one of the leads who read what was purged.
        assert error(await platform.gql(LOG, {"k": "CAPTURE", "s": A}, school))["code"] == \
            "forbidden"
