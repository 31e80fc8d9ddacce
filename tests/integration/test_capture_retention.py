"""Retention of captures, with compliance, capture and reporting in process on a private NATS
(controllable clock): the LA's policy reaches capture's replica; the scheduled purge removes a
capture's screenshot after 3 months (the object only when no kept capture shares it) and its
text after 12; afterwards the text is in no event in the store, no JetStream message and no
read model, the detail says what was removed and when, and the reports count the same."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client
from nats.js.errors import NotFoundError
from sqlalchemy import MetaData, select

from services.capture.handlers import build as build_capture
from services.capture.screenshots import ScreenshotStore
from services.compliance.handlers import build as build_compliance
from services.reporting.handlers import build as build_reporting
from shared.claims import Claims, Role
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.service import Service
from tests.integration.test_capture_service import (
    ADMIN,
    DSL_A,
    KEY_A,
    MOD1,
    PHRASES,
    PNG,
    T0,
    A,
    Clock,
    item,
    person,
)
from tests.support.inprocess import applied, running, settings_for
from tests.support.procs import eventually

SECRET = "SECRET-EXCERPT-jt-wants-to-hurt-himself"
TRIGGER = "SECRET-TRIGGER hurt myself tonight"
NOTES = "SECRET-NOTES-jt-disclosed-at-home"
REASON = "SECRET-REASON-jt-named-a-date"
ACK = "SECRET-ACK-called-jts-mother"
HEAD_A = person("a-head", A, Role.HEADTEACHER)
POLICY = {"months": {"screenshot": 3, "capture_text": 12, "capture_metadata": 72,
                     "incident_text": 84}, "school_may_set": ["screenshot"]}
FAR = (T0 + timedelta(days=3 * 365)).isoformat()  # reports "as of" after every step


@dataclass
class Env:
    capture: Service
    reporting: Service
    nc: Client
    rpc: RpcClient
    clock: Clock

    async def call(self, service: str, name: str, caller: Claims, **body: Any) -> Any:
        return await self.rpc.call(service, name, body, caller)

    async def applied(self, service: Service, projection: str) -> int:
        [runner] = [r for r in service.runners if r.projection.name == projection]
        return runner.stats.applied

    async def ingest(self, pid: str, at: datetime,
                     notes: str = "keep an eye on this pupil") -> str:
        self.clock.now = at
        done = await self.call("capture", "IngestCaptures", KEY_A, school_id=A, captures=[
            item(pid, captured_at=at.isoformat(), excerpt=f"{SECRET} ({pid})", trigger=TRIGGER,
                 screenshot=base64.b64encode(PNG).decode())])
        cid = str(done["results"][0]["capture_id"])
        await eventually(lambda: self.call("capture", "ListQueue", MOD1),
                         lambda q: cid in {c["capture_id"] for c in q["items"]})
        await self.call("capture", "ClaimCapture", MOD1, school_id=A, capture_id=cid)
        await self.call("capture", "GradeCapture", MOD1, school_id=A, capture_id=cid,
                        grade="concern", notes=notes)
        return cid

    async def detail(self, cid: str) -> dict[str, Any]:
        return dict(await self.call("capture", "GetCapture", HEAD_A, school_id=A,
                                    capture_id=cid))

    async def purge(self, at: datetime) -> dict[str, Any]:
        self.clock.now = at
        return dict(await self.call("capture", "PurgeDue", ADMIN))

    async def reports(self) -> list[dict[str, Any]]:
        return [await self.call("reporting", "MonthlyReport", HEAD_A, school_id=A, month=m,
                                as_of=FAR) for m in ("2026-11", "2027-02")]


@pytest.fixture
async def env(db_url: str, fresh_nats: NatsServer, tmp_path: Path) -> AsyncIterator[Env]:
    clock = Clock()
    async with running("compliance", build_compliance,
                       settings_for(fresh_nats.url, tmp_path / "comp")) as _, \
            running("capture", partial(build_capture, clock=clock),
                    settings_for(fresh_nats.url, tmp_path / "cap", db_url)) as capture, \
            running("reporting", build_reporting,
                    settings_for(fresh_nats.url, tmp_path / "rep")) as reporting:
        nc = await nats.connect(fresh_nats.url)
        try:
            e = Env(capture, reporting, nc, RpcClient(nc), clock)
            await e.call("capture", "AddLibraryPhrases", ADMIN, phrases=PHRASES)
            await e.call("compliance", "SetRetentionPolicy", ADMIN, **POLICY)
            await eventually(lambda: e.applied(capture, "capture-retention"), lambda n: n == 1)
            yield e
        finally:
            await nc.close()


def month(n: int) -> timedelta:
    return timedelta(days=31 * n)


class TestCapturePurge:
    async def test_purge_removes_content_and_keeps_the_counts(self, env: Env) -> None:
        first = await env.ingest("sw-1", T0)
        second = await env.ingest("sw-2", T0 + month(3))  # the same image: one object
        before = await eventually(env.reports, lambda r: all(
            (m["captures"]["received"], m["captures"]["moderated"], m["alerts"]["raised"])
            == (1, 1, 1) for m in r))
        shot = (await env.detail(first))["capture"]
        assert shot["excerpt"] == f"{SECRET} (sw-1)" and shot["has_screenshot"]

        # 4 months on: the first capture's screenshot is due, but the second still shows it.
        assert (await env.purge(T0 + month(4)))["records"] == 1
        done = (await eventually(lambda: env.detail(first),
                                 lambda d: d["capture"]["screenshot_removed_on"]))["capture"]
        assert done["retention"] == (f"screenshot removed under retention on "
                                     f"{(T0 + month(4)).date().isoformat()}")
        assert not done["has_screenshot"] and done["excerpt"] == f"{SECRET} (sw-1)"
        with pytest.raises(NotFound, match="removed under retention"):
            await env.call("capture", "ViewScreenshot", HEAD_A, school_id=A, capture_id=first)
        sha = (await env.detail(second))["capture"]["has_screenshot"]
        assert sha and await self.image_kept(env)
        assert (await env.purge(T0 + month(4)))["records"] == 0  # nothing twice

        # 7 months: the second's screenshot too, and now the object goes.
        assert (await env.purge(T0 + month(7)))["records"] == 1
        await eventually(lambda: env.detail(second),
                         lambda d: d["capture"]["screenshot_removed_on"] is not None)
        assert not await self.image_kept(env)

        # 16 months: the text of both.
        assert (await env.purge(T0 + month(16)))["records"] == 2
        for cid in (first, second):
            view = (await eventually(lambda c=cid: env.detail(c),  # type: ignore[misc]
                                     lambda d: d["capture"]["text_removed_on"]))
            capture = view["capture"]
            assert (capture["excerpt"], capture["trigger"]) == ("", "")
            assert "text" in capture["retention"] and "removed under retention on" in \
                capture["retention"]
            assert SECRET not in str(view["history"]) and TRIGGER not in str(view["history"])
        await eventually(lambda: applied(env.capture, "capture-purges"), lambda n: n == 4)
        log = await env.call("capture", "ListPurges", DSL_A, school_id=A)
        assert log["total"] == 4
        assert {tuple(e["fields"]) for e in log["items"]} == {
            ("screenshot",), ("excerpt", "trigger")}

        # Nowhere: not in the store, not on the bus, not in any read model.
        await eventually(lambda: env.applied(env.reporting, "reporting-facts"),
                         lambda n: n > 0)
        for text in (SECRET, TRIGGER):
            assert not await in_database(env.capture, text)
            assert not await in_database(env.reporting, text)
            assert not await on_the_bus(env.nc, text)
        assert await env.reports() == before

    async def test_captures_sharing_an_image_due_together_delete_it(self, env: Env) -> None:
        for pid in ("sw-3", "sw-4"):
            await env.ingest(pid, T0)
        assert (await env.purge(T0 + month(4)))["records"] == 2
        assert not await self.image_kept(env)

    async def test_only_the_la_admin_runs_it_and_never_ahead(self, env: Env) -> None:
        with pytest.raises(Forbidden):
            await env.call("capture", "PurgeDue", DSL_A)
        with pytest.raises(InvalidInput, match="ahead of time"):
            await env.call("capture", "PurgeDue", ADMIN,
                           as_of=(T0 + timedelta(days=1)).isoformat())

    async def test_moderation_notes_go_under_capture_metadata_and_the_grade_stays(
            self, env: Env) -> None:
        cid = await env.ingest("sw-9", T0, notes=NOTES)
        env.clock.now = T0 + timedelta(hours=1)
        await env.call("capture", "RegradeCapture", MOD1, school_id=A, capture_id=cid,
                       grade="urgent_child_protection", reason=REASON, notes="")
        urgent = await eventually(
            lambda: env.call("capture", "ListAlerts", DSL_A, school_id=A),
            lambda page: any(a["urgent"] for a in page["items"]))
        [alert] = [a for a in urgent["items"] if a["urgent"]]
        assert alert["notes"] == REASON  # a regrade without notes tells its reason
        await env.call("capture", "AcknowledgeAlert", DSL_A, school_id=A,
                       alert_id=alert["alert_id"], note=ACK)
        fresh = await env.call("capture", "GetAlert", DSL_A, school_id=A,
                               alert_id=alert["alert_id"])
        assert (fresh["notes"], fresh["acknowledgement_note"]) == (REASON, ACK)
        graded = await eventually(lambda: env.detail(cid),
                                  lambda d: d["capture"]["grade"] == "urgent_child_protection")
        assert graded["capture"]["notes"] == REASON
        assert {NOTES, REASON} <= {e["data"].get(k) for e in graded["history"]
                                   for k in ("notes", "reason")}
        for text in (NOTES, REASON, ACK):
            assert not await on_the_bus(env.nc, text)  # never published, even before

        # 16 months: the text and the screenshot go, the notes stay.
        assert (await env.purge(T0 + month(16)))["records"] == 1
        view = await eventually(lambda: env.detail(cid),
                                lambda d: d["capture"]["text_removed_on"])
        assert view["capture"]["notes"] == REASON
        # 73 months (capture_metadata is 72): the notes, the reason and the acknowledgement.
        at = T0 + month(73)
        assert (await env.purge(at))["records"] == 1
        assert (await env.purge(at))["records"] == 0
        view = await eventually(lambda: env.detail(cid),
                                lambda d: d["capture"]["notes"] == "")
        assert view["capture"]["grade"] == "urgent_child_protection"
        assert f"moderation notes removed under retention on {at.date().isoformat()}" in \
            view["capture"]["retention"]
        alerts = await eventually(
            lambda: env.call("capture", "ListAlerts", DSL_A, school_id=A),
            lambda page: all(a["notes"] == "" for a in page["items"]))
        assert {a["acknowledgement_note"] for a in alerts["items"]} <= {"", None}
        fresh = await env.call("capture", "GetAlert", DSL_A, school_id=A,
                               alert_id=alert["alert_id"])
        assert (fresh["notes"], fresh["acknowledgement_note"]) == ("", "")
        await eventually(lambda: applied(env.capture, "capture-purges"), lambda n: n == 2)
        log = await env.call("capture", "ListPurges", DSL_A, school_id=A)
        assert ("notes",) in {tuple(e["fields"]) for e in log["items"]}
        for text in (NOTES, REASON, ACK):
            assert text not in str(view)
            assert not await in_database(env.capture, text)
            assert not await in_database(env.reporting, text)
            assert not await on_the_bus(env.nc, text)

    @staticmethod
    async def image_kept(env: Env) -> bool:
        async with ScreenshotStore(env.capture.settings.nats_url).session() as bucket:
            return await bucket.find(hashlib.sha256(PNG).hexdigest()) is not None


async def in_database(service: Service, text: str) -> bool:
    """Any row of any table of the service's database (events, outbox, read models)."""
    meta = MetaData()
    async with service.db.engine.connect() as conn:
        await conn.run_sync(meta.reflect)
        for table in meta.sorted_tables:
            for row in await conn.execute(select(table)):
                if any(text.encode() in v if isinstance(v, bytes) else text in str(v)
                       for v in row):
                    return True
    return False


async def on_the_bus(nc: Client, text: str) -> bool:
    """Any message kept in any JetStream stream."""
    js = nc.jetstream()
    for info in await js.streams_info():
        state = info.state
        if not state.messages:
            continue
        for seq in range(state.first_seq, state.last_seq + 1):
            try:
                msg = await js.get_msg(info.config.name or "", seq)
            except NotFoundError:
                continue
            if text.encode() in (msg.data or b""):
                return True
    return False
