"""Alert emails: a consumer of the service's own AlertRaised (urgent) / AlertEscalated /
DigestSent events sends one email per recipient with an address (smtplib in a thread); a
non-urgent alert waits for the next daily digest. The kit's consumer makes it
outbox-style: an email goes after the event is stored, a failed send is retried and then
parked in the dead-letter stream, never lost; a crash between sending and recording can send
twice. Emails carry no pupil details (email is not a safe channel): they say an alert is
waiting and where to see it. With `ESAFETY_SMTP_HOST` set, mail goes by SMTP; without it
(the embedded default) each mail is written as an .eml file under `<data dir>/mail/`, the
local mail sink the demo shows; `ESAFETY_SMTP_SINK=false` turns that off."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from uuid import uuid4

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture.domain.events import AlertEscalated, AlertRaised, DigestSent
from shared.events import Envelope, Event, now
from shared.projection import Projection

Send = Callable[[EmailMessage], Awaitable[None]]
# A rebuild replays every event: emails about anything older than this are not sent again.
FRESH_FOR = timedelta(hours=1)


class MailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESAFETY_SMTP_", extra="ignore")

    host: str = ""
    port: int = 25
    sender: str = "alerts@esafety.invalid"
    la_address: str = ""  # the LA's safeguarding mailbox, for escalations
    site_url: str = "http://127.0.0.1:8000"
    sink: bool = True  # without a host: write .eml files under <data dir>/mail


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


def compose(settings: MailSettings, env: Envelope, event: Event) -> list[EmailMessage]:
    match event:
        case AlertRaised(urgent=True, recipients=people):
            subject = "URGENT safeguarding alert: acknowledge now"
            return [_mail(settings, p.email, subject, _body(settings, env, p.name, True))
                    for p in people if p.email]
        case DigestSent(recipients=people):
            subject = f"E-safety monitoring digest for {event.day:%d %B %Y}"
            return [_mail(settings, p.email, subject, _digest(settings, event, p.name))
                    for p in people if p.email]
        case AlertEscalated(recipients=people):
            subject = "Escalated: an urgent safeguarding alert is unacknowledged"
            to = [(p.email, p.name) for p in people if p.email]
            if settings.la_address:
                to.append((settings.la_address, "LA safeguarding team"))
            return [_mail(settings, address, subject, _body(settings, env, name, True))
                    for address, name in to]
        case _:
            return []


def _body(settings: MailSettings, env: Envelope, name: str, urgent: bool) -> str:
    ask = "Please acknowledge it now." if urgent else "Please review it."
    return (f"Dear {name},\n\nThe LA's e-safety moderators have raised a safeguarding alert "
            f"for school {env.school_id} at {env.occurred_at:%H:%M} UTC on "
            f"{env.occurred_at:%d %B %Y}. {ask}\n\nSign in to see it: {settings.site_url}\n")


def _digest(settings: MailSettings, event: DigestSent, name: str) -> str:
    graded = ", ".join(f"{n} {grade.replace('_', ' ')}"
                       for grade, n in sorted(event.counts.items())) or "none"
    return (f"Dear {name},\n\nThe LA's e-safety moderators graded these captures for school "
            f"{event.school_id} on {event.day:%d %B %Y}: {graded}. "
            f"{len(event.concerns)} need your review; {event.open_alerts} alerts are still "
            f"unacknowledged.\n\nSign in to see them: {settings.site_url}\n")


def _mail(settings: MailSettings, to: str | None, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, to or "", subject
    msg["Date"] = format_datetime(datetime.now().astimezone())
    msg.set_content(body)
    return msg


class AlertMailer(Projection):
    name = "capture-alert-mail"
    sources = ("capture",)
    handles = frozenset({AlertRaised.type_name, AlertEscalated.type_name,
                         DigestSent.type_name})

    def __init__(self, settings: MailSettings, send: Send,
                 clock: Callable[[], datetime] = now) -> None:
        self.settings, self.send, self.clock = settings, send, clock

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if env.occurred_at < self.clock() - FRESH_FOR:
            return
        for msg in compose(self.settings, env, event):
            await self.send(msg)


