"""Alert emails: who gets one, that no pupil detail leaves by email, and the smtplib sender
against a minimal local SMTP server (the outbox: tests/integration/test_mail_outbox.py)."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from services.capture.domain.events import (
    AlertEscalated,
    AlertRaised,
    Category,
    Grade,
    Recipient,
)
from services.capture.mail import MailSettings, compose, smtp_sender
from shared.events import Envelope, Event, now
from tests.support.smtp import smtp_stub

SETTINGS = MailSettings(host="127.0.0.1", la_address="safeguarding@la.example")
DSL = Recipient(person_id="a-dsl", name="Dana Smith", role="dsl", email="dsl@oak.example")
ICT = Recipient(person_id="a-ict", name="Ian Tull", role="ict_lead")  # no address
HEAD = Recipient(person_id="a-head", name="Hal Edwards", role="headteacher",
                 email="head@oak.example")
RAISED = AlertRaised(alert_id="a" * 32, capture_id="c" * 32, school_id="oakridge",
                     la_id="la", grade=Grade.URGENT_CHILD_PROTECTION,
                     category=Category.SELF_HARM, severity=5, urgent=True,
                     content_ref="ref-grade", roles=["dsl"],
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


class TestSmtpSender:
    async def test_delivers_to_an_smtp_server(self) -> None:
        async with smtp_stub() as server:
            [mail] = compose(SETTINGS, envelope(RAISED), RAISED)
            await smtp_sender(MailSettings(host="127.0.0.1", port=server.port))(mail)
        assert server.to() == ["dsl@oak.example"]
