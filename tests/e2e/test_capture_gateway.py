"""The moderation queue and grading through the gateway: a moderator's queue, the claim race,
grading, the school's view of its concerns, and screenshots only for the right people."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator

import pytest

from services.capture.handlers import build
from shared.claims import Claims, Role, Scope, system_claims
from shared.natsserver import NatsServer
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, A, B, Platform, open_logins
from tests.e2e.helpers import error_code
from tests.support.procs import eventually

PNG = b"\x89PNG\r\n\x1a\n" + bytes(300)
USERS = [("cap-mod1", LA, "la_staff", "la_moderator", "cap.mod1"),
         ("cap-mod2", LA, "la_staff", "la_moderator", "cap.mod2"),
         ("cap-a-dsl", A, "staff", "dsl", "cap.a.dsl"),
         ("cap-b-dsl", B, "staff", "dsl", "cap.b.dsl")]
KEY_A = Claims(subject="key-a", school_id=A, la_id=LA, roles=frozenset({Role.INTEGRATOR}),
               scopes=frozenset({Scope.CAPTURES_WRITE}))

QUEUE = """query($s: String) { moderationQueue(filter: {schoolId: $s}) {
  total items { captureId category severity priority hasScreenshot } } }"""
CLAIM = """mutation($s: String!, $c: String!) { claimCapture(schoolId: $s, captureId: $c) {
  captureId } }"""
GRADE = """mutation($s: String!, $c: String!) { gradeCapture(input: {schoolId: $s, captureId: $c,
  grade: CONCERN, notes: "speak to the pupil"}) }"""
CONCERNS = "query($s: String!) { schoolConcerns(schoolId: $s) { total items { captureId } } }"
VIEW = """mutation($s: String!, $c: String!) { viewScreenshot(schoolId: $s, captureId: $c) {
  contentType dataBase64 } }"""
VIEWS = "query($s: String!) { screenshotViews(schoolId: $s) { total items { viewer } } }"


@pytest.fixture(scope="module")
async def capture(platform: Platform, e2e_nats: NatsServer,
                  tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    service = Service("capture", build, Settings(nats_url=e2e_nats.url,
                                                 data_dir=tmp_path_factory.mktemp("cap")))
    await service.start()
    await open_logins(platform, USERS, given_name="Cap")
    await platform.rpc.call("capture", "AddLibraryPhrases", {"phrases": [
        {"phrase": "hurt myself", "category": "self_harm", "severity": 5}]},
        Claims(subject="la-admin", school_id=LA, la_id=LA, roles=frozenset({Role.LA_ADMIN})))
    try:
        yield service
    finally:
        await service.stop()


async def test_queue_claim_race_grade_and_school_view(platform: Platform,
                                                      capture: Service) -> None:
    done = await platform.rpc.call("capture", "IngestCaptures", {"school_id": A, "captures": [{
        "product": "SafeWatch", "product_capture_id": "e2e-1",
        "captured_at": "2026-01-05T10:00:00+00:00", "machine": "OAK-PC-1",
        "username": "oak\\pupil", "trigger": "I want to hurt myself",
        "screenshot": base64.b64encode(PNG).decode()}]}, KEY_A)
    cid = done["results"][0]["capture_id"]
    mod1, mod2 = await platform.token("cap.mod1"), await platform.token("cap.mod2")
    dsl_a, dsl_b = await platform.token("cap.a.dsl"), await platform.token("cap.b.dsl")

    queue = await eventually(lambda: platform.gql(QUEUE, {"s": A}, mod1),
                             lambda b: b["data"]["moderationQueue"]["total"] >= 1)
    assert {"captureId": cid, "category": "SELF_HARM", "severity": 5, "priority": "URGENT",
            "hasScreenshot": True} in queue["data"]["moderationQueue"]["items"]
    assert error_code(await platform.gql(QUEUE, {"s": A}, dsl_a)) == "forbidden"

    one, two = await asyncio.gather(platform.gql(CLAIM, {"s": A, "c": cid}, mod1),
                                    platform.gql(CLAIM, {"s": A, "c": cid}, mod2))
    assert sorted([error_code(one) or "ok", error_code(two) or "ok"]) == ["conflict", "ok"]
    winner = mod1 if error_code(one) is None else mod2
    assert (await platform.gql(GRADE, {"s": A, "c": cid}, winner))["data"] == {
        "gradeCapture": "CONCERN"}

    await eventually(lambda: platform.gql(CONCERNS, {"s": A}, dsl_a),
                     lambda b: b["data"]["schoolConcerns"]["total"] == 1)
    assert error_code(await platform.gql(CONCERNS, {"s": A}, dsl_b)) == "forbidden"
    assert error_code(await platform.gql(VIEW, {"s": A, "c": cid}, dsl_b)) == "forbidden"
    assert error_code(await platform.gql(VIEW, {"s": B, "c": cid}, dsl_b)) == "not_found"
    shot = await platform.gql(VIEW, {"s": A, "c": cid}, dsl_a)
    assert base64.b64decode(shot["data"]["viewScreenshot"]["dataBase64"]) == PNG
    views = await eventually(lambda: platform.gql(VIEWS, {"s": A}, dsl_a),
                             lambda b: b["data"]["screenshotViews"]["total"] == 1)
    assert views["data"]["screenshotViews"]["items"] == [{"viewer": "cap-a-dsl"}]


INGEST = """mutation($s: String!, $c: [CaptureInput!]!) {
  ingestCaptures(schoolId: $s, captures: $c) {
    accepted duplicates rejected results { index status captureId reason field } } }"""
VIEW_BIG = """mutation($s: String!, $c: String!) { viewScreenshot(schoolId: $s, captureId: $c) {
  size dataBase64 } }"""


async def test_an_integrator_key_ingests_large_screenshots_by_graphql(
        platform: Platform, capture: Service) -> None:
    issued = await platform.rpc.call("directory", "IssueApiKey", {
        "school_id": A, "name": "SafeWatch", "scopes": ["captures:write"]}, system_claims(LA))
    big = b"\xff\xd8\xff\xe0" + bytes(1500 * 1024)  # over NATS's 1 MB message limit
    captures = [{"product": "SafeWatch", "productCaptureId": f"gql-{i}",
                 "capturedAt": "2026-01-05T10:00:00+00:00", "machine": "OAK-PC-2",
                 "username": "oak\\pupil", "trigger": "hurt myself", "screenshot": shot}
                for i, shot in enumerate([base64.b64encode(big).decode(),
                                          base64.b64encode(b"GIF89a...").decode(), None])]
    resp = await platform.http.post("/graphql", json={
        "query": INGEST, "variables": {"s": A, "c": captures}},
        headers={"Authorization": f"ApiKey {issued['secret']}"})
    report = resp.json()["data"]["ingestCaptures"]
    assert (report["accepted"], report["rejected"]) == (2, 1)
    assert [r["status"] for r in report["results"]] == ["accepted", "rejected", "accepted"]
    assert report["results"][1]["field"] == "screenshot"

    cid = report["results"][0]["captureId"]
    mod1 = await platform.token("cap.mod1")
    await eventually(lambda: platform.gql(QUEUE, {"s": A}, mod1),
                     lambda b: cid in str(b["data"]["moderationQueue"]["items"]))
    shot = (await platform.gql(VIEW_BIG, {"s": A, "c": cid}, mod1))["data"]["viewScreenshot"]
    assert shot["size"] == len(big) and base64.b64decode(shot["dataBase64"]) == big
