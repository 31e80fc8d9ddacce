"""The capture service in-process on a fresh NATS: batch ingest with bad items, idempotent
re-send, screenshots in the object store by hash, the claim race, tenancy of captures and
screenshots, and the screenshot audit trail."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import nats
import pytest

from services.capture.demo import LA_ID as DEMO_LA
from services.capture.demo import load_demo, seed_phrases
from services.capture.handlers import build
from services.capture.screenshots import BUCKET, ScreenshotStore, decode_image
from shared.claims import Claims, Role, Scope
from shared.errors import DomainError, Forbidden, NotFound
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.service import Service
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually

LA, A, B = "la-testshire", "oakridge", "glenfield"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00IHDR" + bytes(range(256)) * 8


def person(subject: str, school: str, *roles: Role) -> Claims:
    return Claims(subject=subject, name=subject, school_id=school, la_id=LA,
                  roles=frozenset(roles))


def key(school: str, *scopes: Scope) -> Claims:
    return Claims(subject=f"key-{school}", school_id=school, la_id=LA,
                  roles=frozenset({Role.INTEGRATOR}), scopes=frozenset(scopes))


KEY_A = key(A, Scope.CAPTURES_WRITE)
ADMIN = person("la-admin", LA, Role.LA_ADMIN)
MOD1, MOD2 = person("la-mod1", LA, Role.LA_MODERATOR), person("la-mod2", LA, Role.LA_MODERATOR)
DSL_A, DSL_B = person("a-dsl", A, Role.DSL), person("b-dsl", B, Role.DSL)
TEACHER_A = person("a-teacher", A, Role.TEACHER)
PHRASES = [{"phrase": "hurt myself", "category": "self_harm", "severity": 5},
           {"phrase": "place a bet", "category": "gambling", "severity": 2},
           {"phrase": "meet me after school", "category": "violence", "severity": 3}]


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Env:
    service: Service
    rpc: RpcClient
    clock: Clock

    async def call(self, name: str, caller: Claims, **body: Any) -> Any:
        return await self.rpc.call("capture", name, body, caller)

    async def queue(self, **filters: Any) -> list[dict[str, Any]]:
        return list((await self.call("ListQueue", MOD1, **filters))["items"])


def item(pid: str, **over: Any) -> dict[str, Any]:
    return {"product": "SafeWatch", "product_capture_id": pid,
            "captured_at": (T0 - timedelta(minutes=int(pid[-1]) if pid[-1].isdigit() else 0))
            .isoformat(), "machine": "OAK-PC-07", "username": "oak\\jturner",
            "trigger": "hurt myself", "excerpt": "", "url": "https://example.org", **over}


@pytest.fixture
async def env(db_url: str, fresh_nats: NatsServer, tmp_path: Path) -> AsyncIterator[Env]:
    clock = Clock()
    settings = settings_for(fresh_nats.url, tmp_path, db_url)
    async with running("capture", partial(build, clock=clock), settings) as service:
        nc = await nats.connect(fresh_nats.url)
        try:
            e = Env(service, RpcClient(nc), clock)
            await e.call("AddLibraryPhrases", ADMIN, phrases=PHRASES)
            yield e
        finally:
            await nc.close()


BATCH = [
    item("sw-1", screenshot=base64.b64encode(PNG).decode()),
    item("sw-2", trigger="Place a BET now", product_severity=3, product_category="gaming"),
    {k: v for k, v in item("sw-3").items() if k != "trigger"},
    item("sw-4", captured_at=(T0 + timedelta(hours=2)).isoformat()),
    item("sw-5", screenshot=base64.b64encode(b"GIF89a not allowed").decode()),
    item("sw-6", screenshot_sha256="a" * 64),
    item("sw-7", screenshot="***"),
    item("sw-1", excerpt="the same capture twice in one batch"),
]


class TestIngest:
    async def test_bad_items_get_reasons_and_the_good_ones_are_kept(self, env: Env) -> None:
        done = await env.call("IngestCaptures", KEY_A, school_id=A, captures=BATCH)
        assert (done["accepted"], done["duplicates"], done["rejected"]) == (2, 1, 5)
        by_index = {r["index"]: r for r in done["results"]}
        assert [by_index[i]["status"] for i in range(8)] == [
            "accepted", "accepted", "rejected", "rejected", "rejected", "rejected", "rejected",
            "duplicate"]
        assert by_index[2]["field"] == "trigger" and "required" in by_index[2]["reason"].lower()
        assert by_index[3]["field"] == "captured_at" and "future" in by_index[3]["reason"]
        assert "not a PNG or JPEG" in by_index[4]["reason"]
        assert "not in the screenshot store" in by_index[5]["reason"]
        assert "base64" in by_index[6]["reason"]

        queue = await eventually(env.queue, lambda q: len(q) == 2)
        assert [(c["product_capture_id"], c["category"], c["severity"], c["priority"])
                for c in queue] == [("sw-1", "self_harm", 5, "urgent"),
                                    ("sw-2", "gambling", 3, "normal")]
        sha = hashlib.sha256(PNG).hexdigest()
        nc = await nats.connect(env.service.settings.nats_url)
        try:
            stored = await (await nc.jetstream().object_store(BUCKET)).get(sha)
        finally:
            await nc.close()
        assert stored.data == PNG
        assert queue[0]["has_screenshot"] and not queue[1]["has_screenshot"]

    async def test_a_large_screenshot_goes_by_reference(self, env: Env) -> None:
        big = b"\xff\xd8\xff\xe0" + bytes(1500 * 1024)  # a JPEG over NATS's 1 MB limit
        image = decode_image(base64.b64encode(big).decode())
        async with ScreenshotStore(env.service.settings.nats_url).session() as bucket:
            await bucket.put(image)
        done = await env.call("IngestCaptures", KEY_A, school_id=A, captures=[
            item("big1", screenshot_sha256=image.sha256)])
        assert done["accepted"] == 1
        cid = done["results"][0]["capture_id"]
        await eventually(env.queue, lambda q: len(q) == 1)
        await env.call("ClaimCapture", MOD1, school_id=A, capture_id=cid)
        shot = await env.call("ViewScreenshot", MOD1, school_id=A, capture_id=cid)
        assert (shot["content_type"], shot["size"], shot["data_base64"]) == (
            "image/jpeg", len(big), None)

    async def test_the_same_batch_again_stores_nothing_new(self, env: Env) -> None:
        await env.call("IngestCaptures", KEY_A, school_id=A, captures=BATCH)
        events = await env.service.kit.store.count()
        again = await env.call("IngestCaptures", KEY_A, school_id=A, captures=BATCH)
        assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 3, 5)
        assert await env.service.kit.store.count() == events

    @pytest.mark.parametrize("caller", [key(B, Scope.CAPTURES_WRITE), key(A, Scope.ROSTER_WRITE),
                                        DSL_A, ADMIN])
    async def test_only_a_key_of_the_school_with_the_scope_ingests(self, env: Env,
                                                                   caller: Claims) -> None:
        with pytest.raises(Forbidden):
            await env.call("IngestCaptures", caller, school_id=A, captures=[item("sw-1")])


async def ingested(env: Env, *pids: str) -> list[str]:
    done = await env.call("IngestCaptures", KEY_A, school_id=A, captures=[
        item(pid, screenshot=base64.b64encode(PNG).decode()) for pid in pids])
    ids = [r["capture_id"] for r in done["results"]]
    await eventually(env.queue, lambda q: {c["capture_id"] for c in q} >= set(ids))
    return ids


class TestModeration:
    async def test_two_moderators_claiming_at_once_one_wins(self, env: Env) -> None:
        for cid in await ingested(env, "r1", "r2", "r3"):
            outcomes = await asyncio.gather(
                env.call("ClaimCapture", MOD1, school_id=A, capture_id=cid),
                env.call("ClaimCapture", MOD2, school_id=A, capture_id=cid),
                return_exceptions=True)
            errors = [o for o in outcomes if isinstance(o, BaseException)]
            assert len(errors) == 1, outcomes
            assert isinstance(errors[0], DomainError) and errors[0].code == "conflict"
        env.clock.now = T0 + timedelta(minutes=16)  # every claim has expired
        await env.call("ClaimCapture", MOD2, school_id=A, capture_id=cid)

    async def test_grade_regrade_bulk_and_history(self, env: Env) -> None:
        c1, c2, c3 = await ingested(env, "g1", "g2", "g3")
        with pytest.raises(DomainError):  # no claim yet
            await env.call("GradeCapture", MOD1, school_id=A, capture_id=c1, grade="concern",
                           notes="x")
        await env.call("ClaimCapture", MOD1, school_id=A, capture_id=c1)
        await env.call("GradeCapture", MOD1, school_id=A, capture_id=c1, grade="concern",
                       notes="self-harm search: speak to the pupil today")
        await env.call("RegradeCapture", MOD2, school_id=A, capture_id=c1,
                       grade="urgent_child_protection", reason="second capture the same day")
        bulk = await env.call("BulkFalsePositive", MOD1, captures=[
            {"school_id": A, "capture_id": c2}, {"school_id": A, "capture_id": c1}])
        assert [b["ok"] for b in bulk] == [True, False]
        await eventually(env.queue, lambda q: {c["capture_id"] for c in q} == {c3})
        detail = await env.call("GetCapture", MOD1, school_id=A, capture_id=c1)
        assert [h["type"] for h in detail["history"]] == [
            "CaptureReceived", "CaptureTriaged", "CaptureClaimed", "CaptureModerated",
            "ConcernEscalated", "CaptureRegraded", "ConcernEscalated"]
        assert detail["history"][-1]["data"]["urgent"] is True
        assert detail["capture"]["escalated_at"] is not None


class TestSchoolAccess:
    async def test_screenshots_only_for_the_right_people_and_every_view_audited(
            self, env: Env) -> None:
        c1, c2 = await ingested(env, "s1", "s2")
        with pytest.raises(NotFound):  # not escalated yet: the school does not see it
            await env.call("ViewScreenshot", DSL_A, school_id=A, capture_id=c1)
        await env.call("ClaimCapture", MOD1, school_id=A, capture_id=c1)
        await env.call("GradeCapture", MOD1, school_id=A, capture_id=c1, grade="violation",
                       notes="gambling site on a school machine")
        await env.call("ViewScreenshot", MOD1, school_id=A, capture_id=c2)
        shot = await env.call("ViewScreenshot", DSL_A, school_id=A, capture_id=c1)
        assert base64.b64decode(shot["data_base64"]) == PNG
        await env.call("ViewScreenshot", DSL_A, school_id=A, capture_id=c1)

        for caller, school in ((DSL_B, A), (TEACHER_A, A)):
            with pytest.raises(Forbidden):
                await env.call("ViewScreenshot", caller, school_id=school, capture_id=c1)
        for name in ("ViewScreenshot", "GetCapture"):
            with pytest.raises(NotFound):  # another school's capture under its own school
                await env.call(name, DSL_B, school_id=B, capture_id=c1)
        with pytest.raises(Forbidden):
            await env.call("ListSchoolConcerns", DSL_B, school_id=A)

        concerns = await eventually(
            lambda: env.call("ListSchoolConcerns", DSL_A, school_id=A),
            lambda page: page["total"] == 1)
        assert concerns["items"][0]["capture_id"] == c1
        trail = await eventually(
            lambda: env.call("ListScreenshotViews", DSL_A, school_id=A),
            lambda page: page["total"] == 3)
        assert sorted((v["viewer"], v["capture_id"]) for v in trail["items"]) == sorted(
            [("la-mod1", c2), ("a-dsl", c1), ("a-dsl", c1)])
        assert await env.service.kit.store.count(["RecordViewed"]) == 3


async def test_the_demo_loads_the_seed_library_and_samples_twice_alike(env: Env) -> None:
    assert await load_demo(env.rpc, T0) == len(seed_phrases())
    events = await env.service.kit.store.count()
    await load_demo(env.rpc, T0)
    assert await env.service.kit.store.count() == events
    northshire = Claims(subject="la-mod", school_id=DEMO_LA, la_id=DEMO_LA,
                        roles=frozenset({Role.LA_MODERATOR}))
    page = await eventually(lambda: env.call("ListQueue", northshire),
                            lambda p: p["total"] == 6)
    top = page["items"][0]
    assert (top["school_id"], top["category"], top["severity"]) == ("glenfield", "weapons", 5)
