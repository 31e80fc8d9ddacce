"""The mail outbox (shared/mail.py): a mailer only queues mail in its projection's transaction;
its delivery task sends it outside any transaction, to a real (in-process) SMTP server.

Given an alert event, when the mailer applies it (once, or again as a redelivery or a replay
does), then one mail per recipient is queued and sent once; a failing server is retried until
it recovers, and given up on after the configured attempts; and with the capture service
running, a slow mail server holds back none of the service's other projections."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import nats
import pytest
from sqlalchemy import delete, select

from services.capture.handlers import build
from services.capture.mail import AlertMailer, MailSettings
from services.directory.handlers import build as build_directory
from shared.db import Database
from shared.mail import FAILED, PENDING, SENT, mail_metadata, mail_outbox, smtp_sender
from shared.natsserver import NatsServer
from shared.projection import apply_new
from shared.registry import registry
from shared.rpc import RpcClient
from shared.tables import processed_events
from tests.integration.test_capture_alerts import Env, seed_directory
from tests.integration.test_capture_service import ADMIN, KEY_A, MOD1, PHRASES, A, Clock, item
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually
from tests.support.smtp import SmtpStub, smtp_stub
from tests.unit.test_capture_alert_mail import ESCALATED, RAISED, envelope

FAST = {"la_address": "safeguarding@la.example", "retry_seconds": 0.05}


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpStub]:
    async with smtp_stub() as server:
        yield server


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.create_all(mail_metadata)
    yield database
    await database.dispose()


def mailer(smtp: SmtpStub, **settings: Any) -> AlertMailer:
    mail = MailSettings(host="127.0.0.1", port=smtp.port, **{**FAST, **settings})
    return AlertMailer(mail, smtp_sender(mail))


async def outbox(db: Database) -> list[tuple[str, str, int]]:
    async with db.read() as conn:
        rows = await conn.execute(select(mail_outbox.c.recipient, mail_outbox.c.status,
                                         mail_outbox.c.attempts).order_by(mail_outbox.c.id))
        return [tuple(r) for r in rows]


async def deliver_until_settled(m: AlertMailer, db: Database) -> list[tuple[str, str, int]]:
    """Run delivery rounds (each sends what is due) until nothing is pending."""
    async def round_() -> list[tuple[str, str, int]]:
        await m.deliver_due(db)
        return await outbox(db)

    return await eventually(round_, lambda rows: all(s != PENDING for _, s, _ in rows),
                            interval=0.05)


class TestOutbox:
    async def test_applying_only_queues_and_delivery_sends_each_mail_once(
            self, db: Database, smtp: SmtpStub) -> None:
        m, env = mailer(smtp), envelope(ESCALATED)
        async with db.begin() as conn:
            await m.apply(conn, env, ESCALATED)
        assert smtp.sessions == 0  # nothing sent inside the transaction
        assert await outbox(db) == [("head@oak.example", PENDING, 0),
                                    ("safeguarding@la.example", PENDING, 0)]
        # Redelivered (or replayed by a rebuild): nothing queued twice.
        async with db.begin() as conn:
            await m.apply(conn, env, ESCALATED)
        assert len(await outbox(db)) == 2

        assert await deliver_until_settled(m, db) == [("head@oak.example", SENT, 1),
                                                      ("safeguarding@la.example", SENT, 1)]
        await m.deliver_due(db)
        assert smtp.to() == ["head@oak.example", "safeguarding@la.example"]
        assert "Escalated" in str(smtp.received[0]["Subject"])

    async def test_old_events_replayed_queue_nothing(self, db: Database, smtp: SmtpStub
                                                     ) -> None:
        m = mailer(smtp)
        async with db.begin() as conn:
            await m.apply(conn, envelope(RAISED, timedelta(hours=2)), RAISED)
        assert await outbox(db) == []

    async def test_a_failing_server_is_retried_and_the_mail_arrives_once_it_recovers(
            self, db: Database, smtp: SmtpStub) -> None:
        m = mailer(smtp)
        async with db.begin() as conn:
            await m.apply(conn, envelope(RAISED), RAISED)
        smtp.failing = True
        await eventually(lambda: _refusals(m, db, smtp), lambda n: n >= 3, interval=0.05)
        [(_, status, tries)] = await outbox(db)
        assert status == PENDING and tries >= 3 and smtp.received == []
        smtp.failing = False
        [(to, status, _)] = await deliver_until_settled(m, db)
        assert (to, status) == ("dsl@oak.example", SENT)
        await m.deliver_due(db)
        assert smtp.to() == ["dsl@oak.example"]

    async def test_gives_up_after_the_configured_attempts(
            self, db: Database, smtp: SmtpStub, caplog: pytest.LogCaptureFixture) -> None:
        m = mailer(smtp, attempts=3)
        async with db.begin() as conn:
            await m.apply(conn, envelope(RAISED), RAISED)
        smtp.failing = True
        with caplog.at_level(logging.ERROR, logger="shared.mail"):
            assert await deliver_until_settled(m, db) == [("dsl@oak.example", FAILED, 3)]
        assert smtp.refused == 3 and "gave up on the mail" in caplog.text
        async with db.read() as conn:
            error = (await conn.execute(select(mail_outbox.c.last_error))).scalar_one()
        assert "421" in error
        smtp.failing = False
        await m.deliver_due(db)
        assert smtp.sessions == 3 and smtp.received == []  # given up: never tried again


async def _refusals(m: AlertMailer, db: Database, smtp: SmtpStub) -> int:
    await m.deliver_due(db)
    return smtp.refused


async def _sessions(smtp: SmtpStub) -> int:
    return smtp.sessions


@pytest.fixture
async def env(sqlite_url: str, fresh_nats: NatsServer, tmp_path: Path, smtp: SmtpStub,
              monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Env]:
    """The directory and capture services in process, capture mailing to the stub server."""
    monkeypatch.setenv("ESAFETY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ESAFETY_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("ESAFETY_SMTP_RETRY_SECONDS", "0.05")
    clock = Clock()
    async with running("directory", build_directory,
                       settings_for(fresh_nats.url, tmp_path / "dir")) as _, \
            running("capture", partial(build, clock=clock),
                    settings_for(fresh_nats.url, tmp_path / "cap", sqlite_url)) as capture:
        nc = await nats.connect(fresh_nats.url)
        try:
            e = Env(capture, RpcClient(nc), clock)
            await e.call("AddLibraryPhrases", ADMIN, phrases=PHRASES)
            await seed_directory(e.rpc)
            await eventually(lambda: e.applied("capture-staff"), lambda n: n == 8)
            yield e
        finally:
            await nc.close()


async def capture_outbox(env: Env) -> list[tuple[str, str, int]]:
    return await outbox(env.capture.db)


class TestWithTheService:
    async def test_a_slow_mail_server_holds_back_no_other_projection(
            self, env: Env, smtp: SmtpStub) -> None:
        smtp.hold()  # the server takes connections and says nothing
        await env.urgent_capture("m1")
        await eventually(env.alerts, lambda a: len(a) == 1)
        await eventually(lambda: capture_outbox(env),
                         lambda rows: rows == [("a-dsl@example.org", PENDING, 1)])
        await eventually(lambda: _sessions(smtp), lambda n: n == 1)  # stuck on the server

        # Meanwhile the service's projections go on: a new capture reaches the queue, its
        # alert the board.
        await env.urgent_capture("m2")
        await eventually(env.alerts, lambda a: len(a) == 2)
        done = await env.call("IngestCaptures", KEY_A, school_id=A, captures=[item("m3")])
        cid = done["results"][0]["capture_id"]
        await eventually(lambda: env.call("ListQueue", MOD1),
                         lambda q: cid in {c["capture_id"] for c in q["items"]})

        smtp.resume()  # the server recovers: each alert's mail arrives, once
        await eventually(lambda: capture_outbox(env),
                         lambda rows: [s for _, s, _ in rows] == [SENT, SENT])
        assert smtp.to() == ["a-dsl@example.org", "a-dsl@example.org"]

        # The alert events applied again (a redelivery whose record was lost, a rebuild):
        # nothing is queued or sent again.
        db = env.capture.db
        async with db.begin() as conn:
            await conn.execute(delete(processed_events).where(
                processed_events.c.consumer == "capture-alert-mail"))
        [runner] = [r for r in env.capture.runners if r.projection.name == "capture-alert-mail"]
        stored = [e async for batch in env.capture.kit.store.read_all(
            types=sorted(runner.projection.handles)) for e in batch]
        assert len(stored) == 2
        async with db.begin() as conn:
            assert await apply_new(conn, runner.projection,
                                   [(e, registry.decode(e)) for e in stored]) == 2
        runner.projection.committed()
        assert [s for _, s, _ in await capture_outbox(env)] == [SENT, SENT]
        await runner.projection.deliver_due(db)  # type: ignore[attr-defined]
        assert len(smtp.received) == 2
