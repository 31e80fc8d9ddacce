"""Mail from the platform's own events, by an outbox: a projection over a service's events
(`Mailer`) composes the messages of each event and only queues them, in the `mail_outbox`
table, in the transaction that records the event as applied; so a slow or failing mail server
never holds that transaction (nor SQLite's write lock, nor any other projection of the
service), nothing queued is lost, and a redelivered or replayed event queues nothing twice
(one row per consumer, event and recipient). The mailer's delivery task (`Mailer.delivery`,
in `Wiring.tasks`) sends what is queued outside any transaction as soon as the queuing
commits, marks it sent, retries a failure with a growing delay and gives up after
`MailSettings.attempts` tries (marked failed and logged). A crash between sending and marking
can send a mail twice; a mail is claimed before it is sent, so two replicas never both send it.

With `ESAFETY_SMTP_HOST` set, mail goes by SMTP; without it (the embedded default) each mail
is written as an .eml file under `<data dir>/mail/`, the local mail sink the demo shows;
`ESAFETY_SMTP_SINK=false` turns that off. Mail is not a safe channel: no pupil details.
A service with a mailer adds `mail_metadata` to `Wiring.tables` (its migration:
shared/mail_migration.py) and `MAIL_GAUGES` to `Wiring.gauges`."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import time
from abc import abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db import Database, as_utc, new_metadata
from shared.events import Envelope, Event, now, stop_if_cancelled, wait_set
from shared.gauges import Gauge, Reading
from shared.periodic import Job
from shared.projection import Projection
from shared.tables import Position

log = logging.getLogger(__name__)
Send = Callable[[EmailMessage], Awaitable[None]]
# A rebuild replays every event: mail about anything older than this is not sent again.
FRESH_FOR = timedelta(hours=1)
CLAIM = timedelta(minutes=5)  # a claimed mail is tried again after this if its sender died
POLL_SECONDS = 10.0  # the delivery task looks anyway this often (woken at once after queuing)
BATCH = 50
KEEP_SENT = timedelta(days=7)  # sent mails are kept this long (to look into), then deleted
KEEP_FAILED = timedelta(days=30)
PRUNE_SECONDS = 3600.0
PENDING, SENT, FAILED = "pending", "sent", "failed"

mail_metadata = new_metadata()
"""Add to `Wiring.tables` in a service with a `Mailer`."""

mail_outbox = Table(
    "mail_outbox", mail_metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("consumer", String(128), nullable=False),  # the mailer's projection name
    Column("event_id", Uuid, nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("message", LargeBinary, nullable=False),  # the composed mail, as sent
    Column("status", String(16), nullable=False),  # pending, sent or failed
    Column("attempts", Integer, nullable=False),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    # Pending: when to try next (or, while claimed, when the claim runs out).
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=True),  # sent, or given up
    Column("last_error", Text, nullable=True),
    UniqueConstraint("consumer", "event_id", "recipient", name="uq_mail_outbox_key"),
    Index("ix_mail_outbox_due", "status", "due_at"),
)


class Recipient(BaseModel):
    """A person a mail is addressed to, as the directory's events named them then (kept in
    the event, so a replay addresses the same people)."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    name: str
    role: str
    email: str | None = None


class MailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESAFETY_SMTP_", extra="ignore")

    host: str = ""
    port: int = 25
    sender: str = "alerts@esafety.invalid"
    la_address: str = ""  # the LA's safeguarding mailbox, for escalations
    site_url: str = "http://127.0.0.1:8000"
    sink: bool = True  # without a host: write .eml files under <data dir>/mail
    attempts: int = 10  # tries of one mail before it is marked failed
    retry_seconds: float = 30.0  # the wait after a first failure; doubling, an hour at most

    def retry_after(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.retry_seconds * 2 ** (attempts - 1), 3600.0))


def sink_sender(folder: Path) -> Send:
    """The local mail sink: each mail an .eml file (open it in any mail client)."""
    def write(msg: EmailMessage) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid4().hex[:8]}.eml"
        (folder / name).write_bytes(bytes(msg))

    async def send(msg: EmailMessage) -> None:
        await asyncio.to_thread(write, msg)

    return send


def sender(settings: MailSettings, data_dir: Path) -> Send | None:
    """SMTP when a host is set, else the local sink (unless turned off)."""
    if settings.host:
        return smtp_sender(settings)
    return sink_sender(data_dir / "mail") if settings.sink else None


def smtp_sender(settings: MailSettings) -> Send:
    def send_now(msg: EmailMessage) -> None:
        with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
            smtp.send_message(msg)

    async def send(msg: EmailMessage) -> None:
        await asyncio.to_thread(send_now, msg)

    return send


def message(settings: MailSettings, to: str | None, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, to or "", subject
    msg["Date"] = format_datetime(datetime.now().astimezone())
    msg.set_content(body)
    return msg


async def queue_in(conn: AsyncConnection, consumer: str, event_id: UUID,
                   msgs: Sequence[EmailMessage]) -> int:
    """Queue the mails of one event in the caller's transaction, once per recipient (a mail
    to a recipient already queued for this event and consumer is left out); returns how
    many were queued."""
    if not msgs:
        return 0
    seen = set((await conn.execute(select(mail_outbox.c.recipient).where(
        mail_outbox.c.consumer == consumer, mail_outbox.c.event_id == event_id))).scalars())
    at, rows = now(), []
    for msg in msgs:
        to = str(msg["To"] or "")[:320]
        if to in seen:
            continue
        seen.add(to)
        rows.append({"consumer": consumer, "event_id": event_id, "recipient": to,
                     "message": bytes(msg), "status": PENDING, "attempts": 0,
                     "queued_at": at, "due_at": at})
    if rows:
        await conn.execute(insert(mail_outbox), rows)
    return len(rows)


class Mailer(Projection):
    """Queues what `compose` makes of each fresh event it handles (subclasses name the
    consumer, its sources and the events); its `delivery` task sends them. Without `send`
    (mail turned off) it queues and sends nothing."""

    def __init__(self, settings: MailSettings, send: Send | None,
                 clock: Callable[[], datetime] = now) -> None:
        self.settings, self.send, self.clock = settings, send, clock
        self.queued = asyncio.Event()  # set once queued mail is committed

    @abstractmethod
    def compose(self, env: Envelope, event: Event) -> list[EmailMessage]: ...

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if self.send is None or env.occurred_at < self.clock() - FRESH_FOR:
            return
        await queue_in(conn, self.name, env.event_id, self.compose(env, event))

    def committed(self) -> None:
        self.queued.set()

    def delivery(self, db: Database) -> Job:
        """The task (for `Wiring.tasks`) that sends this mailer's queued mail."""
        async def run() -> None:
            if self.send is None:
                return
            pruned = time.monotonic()
            while True:
                self.queued.clear()  # before looking, so no queuing goes unnoticed
                try:
                    wait = await self.deliver_due(db)
                    if time.monotonic() - pruned > PRUNE_SECONDS:
                        pruned = time.monotonic()
                        await prune(db, self.name)
                except Exception:
                    stop_if_cancelled()
                    log.exception("%s: could not deliver mail; trying again later", self.name)
                    wait = POLL_SECONDS
                await wait_set(self.queued, wait)

        run.__name__ = f"{self.name}-delivery".replace("-", "_")
        return run

    async def deliver_due(self, db: Database) -> float:
        """Send the queued mails that are due, oldest first, until one fails (the server is
        likely away: the rest wait for the next round); returns the seconds until the next
        one falls due (`POLL_SECONDS` at most)."""
        assert self.send is not None, "mail is turned off"
        async with db.read() as conn:
            ids = list((await conn.execute(
                select(mail_outbox.c.id).where(self._due(now()))
                .order_by(mail_outbox.c.id).limit(BATCH))).scalars())
        for id_ in ids:
            if not await self._deliver(db, id_):
                break
        async with db.read() as conn:
            nxt = (await conn.execute(select(func.min(mail_outbox.c.due_at)).where(
                mail_outbox.c.consumer == self.name,
                mail_outbox.c.status == PENDING))).scalar()
        if nxt is None:
            return POLL_SECONDS
        return min(max((as_utc(nxt) - now()).total_seconds(), 0.0), POLL_SECONDS)

    def _due(self, at: datetime) -> ColumnElement[bool]:
        return and_(mail_outbox.c.consumer == self.name, mail_outbox.c.status == PENDING,
                    mail_outbox.c.due_at <= at)

    async def _deliver(self, db: Database, id_: int) -> bool:
        """Claim one mail (so no other replica sends it), send it outside any transaction,
        then record what happened; False when sending failed."""
        assert self.send is not None, "mail is turned off"
        at = now()
        async with db.begin() as conn:
            claimed = await conn.execute(
                update(mail_outbox).where(mail_outbox.c.id == id_, self._due(at))
                .values(due_at=at + CLAIM, attempts=mail_outbox.c.attempts + 1))
            if claimed.rowcount != 1:
                return True  # sent or claimed meanwhile
            row = (await conn.execute(select(mail_outbox.c.message, mail_outbox.c.attempts,
                                             mail_outbox.c.event_id)
                                      .where(mail_outbox.c.id == id_))).one()
        msg = message_from_bytes(row.message, policy=policy.default)
        try:
            await self.send(msg)
        except Exception as exc:
            stop_if_cancelled()
            done = row.attempts >= self.settings.attempts
            values: dict[str, object] = {"last_error": repr(exc)[:1000]}
            if done:
                values.update(status=FAILED, done_at=now())
                log.error("%s: gave up on the mail of event %s after %d attempts: %r",
                          self.name, row.event_id, row.attempts, exc)
            else:
                values.update(due_at=now() + self.settings.retry_after(row.attempts))
                log.warning("%s: could not send the mail of event %s (attempt %d of %d): %r",
                            self.name, row.event_id, row.attempts, self.settings.attempts, exc)
            async with db.begin() as conn:
                await conn.execute(update(mail_outbox).where(mail_outbox.c.id == id_)
                                   .values(**values))
            return False
        async with db.begin() as conn:
            await conn.execute(update(mail_outbox).where(mail_outbox.c.id == id_)
                               .values(status=SENT, done_at=now(), last_error=None))
        return True


async def prune(db: Database, consumer: str) -> None:
    """Delete sent mails after `KEEP_SENT` and failed ones after `KEEP_FAILED` (they hold
    addresses and names)."""
    at = now()
    async with db.begin() as conn:
        for status, keep in ((SENT, KEEP_SENT), (FAILED, KEEP_FAILED)):
            await conn.execute(delete(mail_outbox).where(
                mail_outbox.c.consumer == consumer, mail_outbox.c.status == status,
                mail_outbox.c.done_at < at - keep))


async def _pending(conn: AsyncConnection) -> list[Reading]:
    rows = await conn.execute(select(mail_outbox.c.consumer, func.count())
                              .where(mail_outbox.c.status == PENDING)
                              .group_by(mail_outbox.c.consumer))
    return [(float(n), {"consumer": consumer}) for consumer, n in rows]


async def _failed(conn: AsyncConnection) -> list[Reading]:
    rows = await conn.execute(select(mail_outbox.c.consumer, func.count())
                              .where(mail_outbox.c.status == FAILED)
                              .group_by(mail_outbox.c.consumer))
    return [(float(n), {"consumer": consumer}) for consumer, n in rows]


# For `Wiring.gauges` of a service with a mailer.
MAIL_GAUGES = (
    Gauge("esafety.mail.pending", "mails queued and not yet sent, per mailer", _pending),
    Gauge("esafety.mail.failed", "mails given up on (kept for a while), per mailer", _failed),
)
