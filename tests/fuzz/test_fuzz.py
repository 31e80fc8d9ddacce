"""Fuzzing, the short seeded run inside `make test` (the full ≥ 10,000 cases: `make fuzz`):
generated GraphQL documents for every operation and generated ingest requests, as demo users,
an integrator and bad credentials, against the whole platform as `make run` starts it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from collections.abc import Iterator

import httpx
import nats
import pytest

from services.capture.screenshots import bucket_on
from tests.fuzz.campaign import run_campaign
from tests.fuzz.live import RunningPlatform, running_platform
from tests.support.browser import png
from tests.support.oneroster import USERS, bundle

SEED = 20261124  # fixed: the same cases on every run, so CI is reproducible
CASES = 400


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with running_platform(tmp_path_factory.mktemp("fuzz")) as platform:
        yield platform


def test_every_generated_request_gets_an_answer_or_a_typed_rejection(
        live: RunningPlatform) -> None:
    outcome = run_campaign(live, CASES, SEED)
    print(outcome.summary())
    assert outcome.tally.total >= CASES * 0.9, outcome.summary()
    assert outcome.tally.outcomes["accepted"] > 0, "nothing got through: the run proves little"
    assert outcome.tally.rejected, "nothing was rejected: the run proves little"
    assert not outcome.tally.failures, outcome.summary()
    assert not outcome.written_by_rejected, outcome.summary()
    assert not outcome.log_failures, outcome.summary()


def test_a_fully_rejected_capture_batch_stores_nothing(live: RunningPlatform) -> None:
    """Each capture wrong in one way, each with the same new (valid) screenshot: every item is
    rejected with a reason naming its field, no capture event is stored, and neither is the
    screenshot."""
    image = png(5, 7, tuple(secrets.token_bytes(3)))  # type: ignore[arg-type]
    shot = base64.b64encode(image).decode()
    good = {"product": "SafeWatch", "captured_at": "2026-01-05T10:00:00+00:00",
            "machine": "OAK-PC-1", "username": "oak\\pupil7", "trigger": "hurt myself",
            "screenshot": shot}
    wrong = {"product": "", "captured_at": "2999-01-01T00:00:00+00:00", "machine": None,
             "username": "", "trigger": "t" * 501, "product_severity": 9,
             "excerpt": "e" * 5001, "url": 7}
    batch = [{**good, "product_capture_id": f"fuzz-{name}", name: value}
             for name, value in wrong.items()]
    before = live.count("capture", "CaptureReceived")
    resp = httpx.post(f"{live.url}/integrations/captures", json={"captures": batch},
                      headers=live.api_key("oakridge"), timeout=120)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (0, 0, len(batch)), body
    assert [r["field"] for r in body["results"]] == list(wrong), body
    assert all(r["reason"] for r in body["results"]), body
    assert live.count("capture", "CaptureReceived") == before
    assert not asyncio.run(_stored(live, hashlib.sha256(image).hexdigest()))


def _roster_upload(live: RunningPlatform, files: dict[str, list[list[str]]]) -> httpx.Response:
    resp = httpx.post(f"{live.url}/integrations/oneroster", content=bundle(files),
                      headers=live.api_key("glenfield"), timeout=120)
    assert resp.status_code < 500, resp.text
    return resp


async def _stored(live: RunningPlatform, sha256: str) -> bool:
    nc = await nats.connect(live.nats_url)
    try:
        return await (await bucket_on(nc)).find(sha256) is not None
    finally:
        await nc.close()


SYNC = """mutation($s: String!, $c: [RosterClassInput!]) {
  syncRoster(schoolId: $s, mode: DELTA, people: [], classes: $c) { created } }"""


def test_what_fuzzing_found_is_answered_with_typed_errors(live: RunningPlatform) -> None:
    """The server errors fuzzing found, replayed: each is now a typed rejection."""
    admin = live.bearer("la.admin")
    # A class the directory's contract refuses was checked in the gateway: "internal".
    body = httpx.post(f"{live.url}/graphql", headers=admin, timeout=120, json={
        "query": SYNC, "variables": {"s": "oakridge", "c": [
            {"misId": "C1", "name": "5B", "yearGroup": -7}]}}).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["invalid"], body
    assert body["errors"][0]["extensions"]["field"] == "classes.0.yearGroup", body
    # The same over HTTP, with a school id that is no slug: the connection was dropped.
    users = [USERS, ["P1", "active", "true", "student", "", "Ada", "Lovelace", "", "", "05"]]
    resp = httpx.post(f"{live.url}/integrations/oneroster", params={"schoolId": "Not A Slug!"},
                      content=bundle({"users.csv": users}), headers=live.api_key("glenfield"),
                      timeout=120)
    error = resp.json()["error"]
    assert (resp.status_code, error["code"]) == (400, "invalid"), resp.text
    assert error["message"].startswith("school_id: "), resp.text
    # A classes.csv without a sourcedId column, and a field over the csv module's limit: both
    # were HTTP 500; now a rejected row, and a typed error.
    no_ids = {"users.csv": users, "classes.csv": [["x", "y"], ["C1", "5B"]]}
    report = _roster_upload(live, no_ids).json()
    assert [r["row"] for r in report["rejected"]] == ["classes.csv:2"], report
    resp = _roster_upload(live, {"users.csv": [USERS, ["x" * 200_000]]})
    assert (resp.status_code, resp.json()["error"]["code"]) == (400, "invalid"), resp.text
    # Uploads from nobody are refused before their bodies are read or parsed.
    for path in ("/integrations/oneroster", "/integrations/captures"):
        resp = httpx.post(f"{live.url}{path}", params={"schoolId": "oakridge"},
                          content=b"not a zip, not JSON", timeout=120)
        assert resp.status_code == 401, resp.text
        assert resp.json()["error"]["code"] == "unauthenticated", resp.text
