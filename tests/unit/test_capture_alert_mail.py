"""Alert emails: who gets one, that no pupil detail leaves by email, replays send nothing, and
the smtplib sender against a minimal local SMTP sink."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.message import EmailMessage
from uuid import uuid4

from services.capture.domain.events import (
    AlertEscalated,
    AlertRaised,
    Category,
    Grade,
    Recipient,
)
from services.capture.mail import AlertMailer, MailSettings, compose, smtp_sender
from shared.events import Envelope, Event, now

SETTINGS = MailSettings(host="127.0.0.1", la_address="safeguarding@la.example")
DSL = Recipient(person_id="a-dsl", name="Dana Smith", role="dsl", email="dsl@oak.example")
ICT = Recipient(person_id="a-ict", name="Ian Tull", role="ict_lead")  # no address
HEAD = Recipient(person_id="a-head", name="Hal Edwards", role="headteacher",
                 email="head@oak.example")
RAISED = AlertRaised(alert_id="a" * 32, capture_id="c" * 32, school_id="oakridge",
                     la_id="la", grade=Grade.URGENT_CHILD_PROTECTION,
                     category=Category.SELF_HARM, severity=5, urgent=True,
                     notes="pupil J.T. searched for ways to self-harm", roles=["dsl"],
                     recipients=[DSL, ICT])
ESCALATED = AlertEscalated(alert_id="a" * 32, roles=["headteacher", "la"], recipients=[HEAD],
                           overdue_since=now(), at=now())


def envelope(event: Event, age: timedelta = timedelta()) -> Envelope:
    return Envelope(event_id=uuid4(), type=event.type_name, schema_version=1,
                    school_id="oakridge", aggregate_type="alert", aggregate_id="a" * 32,
                    aggregate_version=1, occurred_at=now() - age, correlation_id=uuid4(),
                    payload=event.model_dump(mode="json"))


class TestCompose:
    def test_raised_goes_to_recipients_with_an_address_without_pupil_details(self) -> None:
        [mail] = compose(SETTINGS, envelope(RAISED), RAISED)
        assert mail["To"] == "dsl@oak.example" and mail["Subject"].startswith("URGENT")
        assert "J.T." not in mail.get_content() and "self-harm" not in mail.get_content()

    def test_escalated_goes_to_the_headteacher_and_the_la(self) -> None:
        assert [m["To"] for m in compose(SETTINGS, envelope(ESCALATED), ESCALATED)] == [
            "head@oak.example", "safeguarding@la.example"]


class TestMailer:
    async def test_sends_fresh_alerts_and_not_replayed_old_ones(self) -> None:
        sent: list[EmailMessage] = []

        async def send(msg: EmailMessage) -> None:
            sent.append(msg)

        mailer = AlertMailer(SETTINGS, send)
        await mailer.apply(None, envelope(RAISED, timedelta(hours=2)), RAISED)  # type: ignore[arg-type]
        assert sent == []
        await mailer.apply(None, envelope(RAISED), RAISED)  # type: ignore[arg-type]
        assert [m["To"] for m in sent] == ["dsl@oak.example"]

    async def test_smtp_sender_delivers_to_an_smtp_server(self) -> None:
        received: list[str] = []

        async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"220 sink\r\n")
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"DATA":
                    writer.write(b"354 go on\r\n")
                    await writer.drain()
                    received.append((await reader.readuntil(b"\r\n.\r\n")).decode())
                    writer.write(b"250 queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"250 ok\r\n")
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(session, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            [mail] = compose(SETTINGS, envelope(RAISED), RAISED)
            await smtp_sender(MailSettings(host="127.0.0.1", port=port))(mail)
        assert len(received) == 1 and "To: dsl@oak.example" in received[0]
