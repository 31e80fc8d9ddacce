"""Capture ingest over plain HTTP (`POST /integrations/captures`): JSON single and batch,
a multipart form with the screenshot as a file, per-item reasons, and the key's tenancy."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.capture.handlers import build
from shared.natsserver import NatsServer
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import A, B, Platform, key_for

PNG = b"\x89PNG\r\n\x1a\n" + bytes(300)
URL = "/integrations/captures"


@pytest.fixture(scope="module")
async def capture(platform: Platform, e2e_nats: NatsServer,
                  tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    service = Service("capture", build, Settings(nats_url=e2e_nats.url,
                                                 data_dir=tmp_path_factory.mktemp("http")))
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


def one(pid: str, **over: Any) -> dict[str, Any]:
    return {"product": "NetGuard", "product_capture_id": pid,
            "captured_at": "2026-01-05T10:00:00+00:00", "machine": "OAK-PC-3",
            "username": "oak\\pupil", "trigger": "hurt myself", **over}


async def post(platform: Platform, headers: dict[str, str], **kw: Any) -> httpx.Response:
    return await platform.http.post(URL, headers=headers, **kw)


class TestJson:
    async def test_single_and_batch_with_reasons_per_item(
            self, platform: Platform, capture: Service) -> None:
        key = await key_for(platform, A, ["captures:write"])
        single = await post(platform, key, json=one("http-1"))
        assert single.status_code == 200, single.text
        assert single.json()["accepted"] == 1

        batch = [one("http-1"), one("http-2", screenshot=base64.b64encode(PNG).decode()),
                 "not an object", one("http-3", captured_at="yesterday"),
                 one("http-4", product_severity=9), {"product": "NetGuard"}]
        resp = await post(platform, key, json={"captures": batch})
        report = resp.json()
        assert resp.status_code == 200, report
        assert [r["status"] for r in report["results"]] == [
            "duplicate", "accepted", "rejected", "rejected", "rejected", "rejected"]
        reasons = {r["index"]: (r["field"], r["reason"]) for r in report["results"]}
        assert "JSON object" in reasons[2][1]
        assert reasons[3][0] == "captured_at"
        assert reasons[4][0] == "product_severity" and "less than or equal to 5" in reasons[4][1]
        assert "product_capture_id" in reasons[5][1]

    async def test_bad_bodies_are_refused_whole(self, platform: Platform,
                                                capture: Service) -> None:
        key = await key_for(platform, A, ["captures:write"])
        bad = await post(platform, {**key, "Content-Type": "application/json"},
                         content=b"{nope")
        assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]["message"]
        many = await post(platform, key, json=[one(f"m{i}") for i in range(1001)])
        assert many.status_code == 400 and "at most 1000" in many.json()["error"]["message"]
        empty = await post(platform, key, json=[])
        assert empty.status_code == 400
        text = await post(platform, {**key, "Content-Type": "text/plain"}, content=b"hi")
        assert text.status_code == 400


class TestForm:
    async def test_a_form_with_the_screenshot_as_a_file(self, platform: Platform,
                                                        capture: Service) -> None:
        key = await key_for(platform, A, ["captures:write"])
        fields = {k: str(v) for k, v in one("form-1", product_severity=4).items()}
        resp = await post(platform, key, data=fields,
                          files={"screenshot": ("shot.gif", PNG, "image/gif")})
        report = resp.json()
        assert resp.status_code == 200 and report["accepted"] == 1, report

        # Judged by its bytes, whatever it is called.
        fake = await post(platform, key, data={**fields, "product_capture_id": "form-2"},
                          files={"screenshot": ("shot.png", b"GIF89a....", "image/png")})
        [result] = fake.json()["results"]
        assert (result["status"], result["field"]) == ("rejected", "screenshot")
        assert "not a PNG or JPEG" in result["reason"]
        big = await post(platform, key, data={**fields, "product_capture_id": "form-3"},
                         files={"screenshot": ("big.png", PNG + bytes(3 * 1024 * 1024))})
        assert big.status_code == 413


class TestAuth:
    async def test_keys_reach_only_their_own_school(self, platform: Platform,
                                                    capture: Service) -> None:
        glenfield = await key_for(platform, B, ["captures:write"])
        across = await post(platform, glenfield, params={"schoolId": A}, json=one("x-1"))
        assert across.status_code == 403, across.text
        roster_only = await key_for(platform, A, ["roster:write"])
        assert (await post(platform, roster_only, json=one("x-2"))).status_code == 403
        nobody = await platform.http.post(URL, json=one("x-3"))
        assert nobody.status_code == 401
        wrong = await post(platform, {"Authorization": "ApiKey nope"}, json=one("x-4"))
        assert wrong.status_code == 401
