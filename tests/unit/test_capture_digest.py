"""The daily digest decider (given/when/then), its mail, and the local mail sink."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from pathlib import Path

import pytest

from services.capture.domain.digest import SendDigest, digest
from services.capture.domain.events import DigestSent, Recipient
from services.capture.mail import MailSettings, compose, sender
from shared.errors import InvalidInput
from tests.unit.test_capture_alert_mail import RAISED, envelope

DAY = date(2026, 11, 23)
DSL = Recipient(person_id="a-dsl", name="Dana Smith", role="dsl", email="dsl@oak.example")
SENT = DigestSent(school_id="oakridge", day=DAY, counts={"concern": 2, "false_positive": 5},
                  concerns=["c" * 32, "d" * 32], open_alerts=1, recipients=[DSL])


class TestDecide:
    def test_sent_once_per_school_and_day(self) -> None:
        assert digest.decide(SendDigest(SENT, date(2026, 11, 24)), digest.fold([])) == [SENT]
        assert digest.decide(SendDigest(SENT, date(2026, 11, 25)), digest.fold([SENT])) == []

    def test_not_before_the_day_is_over(self) -> None:
        with pytest.raises(InvalidInput, match="once the day is over"):
            digest.decide(SendDigest(SENT, DAY), digest.fold([]))


class TestMail:
    def test_the_digest_mail_counts_without_pupil_details(self) -> None:
        [mail] = compose(MailSettings(), envelope(SENT), SENT)
        assert mail["To"] == "dsl@oak.example" and "23 November 2026" in mail["Subject"]
        body = mail.get_content()
        assert "2 concern, 5 false positive" in body and "2 need your review" in body
        assert "c" * 32 not in body

    def test_a_non_urgent_alert_waits_for_the_digest(self) -> None:
        calm = RAISED.model_copy(update={"urgent": False, "acknowledge_by": None})
        assert compose(MailSettings(), envelope(calm), calm) == []


class TestSink:
    async def test_each_mail_is_an_eml_file_under_the_data_dir(self, tmp_path: Path) -> None:
        send = sender(MailSettings(), tmp_path)
        assert send is not None
        [mail] = compose(MailSettings(), envelope(SENT), SENT)
        await send(mail)
        [written] = (tmp_path / "mail").glob("*.eml")
        assert message_from_bytes(written.read_bytes())["To"] == "dsl@oak.example"
        assert sender(MailSettings(sink=False), tmp_path) is None
