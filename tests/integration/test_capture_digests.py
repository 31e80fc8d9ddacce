"""Daily digests, with the directory and capture services in process (controllable clock):
a day's moderation below urgent reaches the school's contacts the next morning, once, as an
event and a mail in the local sink; another school's DSL cannot read it."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.message import Message

import pytest

from shared.errors import Forbidden, InvalidInput
from tests.integration import test_capture_alerts as alerts
from tests.integration.test_capture_alerts import Env
from tests.integration.test_capture_service import (
    ADMIN,
    DSL_A,
    DSL_B,
    KEY_A,
    MOD1,
    T0,
    TEACHER_A,
    A,
    item,
)
from tests.support.procs import eventually

env = alerts.env  # the directory and capture services on a private NATS
NEXT_MORNING = T0.replace(hour=7) + timedelta(days=1)


async def graded(env: Env, pid: str, grade: str, notes: str = "") -> str:
    done = await env.call("IngestCaptures", KEY_A, school_id=A, captures=[item(pid)])
    cid = str(done["results"][0]["capture_id"])
    await eventually(lambda: env.call("ListQueue", MOD1),
                     lambda q: cid in {c["capture_id"] for c in q["items"]})
    await env.call("ClaimCapture", MOD1, school_id=A, capture_id=cid)
    await env.call("GradeCapture", MOD1, school_id=A, capture_id=cid, grade=grade, notes=notes)
    await eventually(lambda: env.call("GetCapture", MOD1, school_id=A, capture_id=cid),
                     lambda d: d["capture"]["graded_at"] is not None)  # digests read the view
    return cid


def mails(env: Env) -> list[Message]:
    folder = env.capture.settings.data_dir / "mail"
    return [message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))] \
        if folder.exists() else []


def digest_mails(env: Env) -> list[Message]:
    return [m for m in mails(env) if str(m["Subject"]).startswith("E-safety monitoring digest")]


class TestDigest:
    async def test_yesterdays_moderation_goes_once_the_next_morning(self, env: Env) -> None:
        concern = await graded(env, "d1", "concern", "keep an eye on this pupil")
        await graded(env, "d2", "false_positive")
        await graded(env, "d3", "no_further_action")
        await env.urgent_capture("d4")  # alerted at once: not in the digest
        await eventually(env.alerts, lambda a: len(a) == 2)
        await eventually(lambda: env.call("ListQueue", MOD1), lambda q: q["total"] == 0)

        env.clock.now = NEXT_MORNING.replace(hour=5)  # before the digest hour
        assert (await env.call("SendDueDigests", ADMIN))["sent"] == []
        env.clock.now = NEXT_MORNING
        assert (await env.call("SendDueDigests", ADMIN))["sent"] == [A]
        assert (await env.call("SendDueDigests", ADMIN))["sent"] == []  # not twice

        [digest] = (await eventually(lambda: env.call("ListDigests", DSL_A, school_id=A),
                                     lambda p: p["total"] == 1))["items"]
        assert (digest["day"], digest["counts"], digest["concerns"], digest["open_alerts"]) == (
            T0.date().isoformat(),
            {"concern": 1, "false_positive": 1, "no_further_action": 1}, [concern], 2)
        assert [r["person_id"] for r in digest["recipients"]] == ["a-dsl"]

        [mail] = await eventually(lambda: _async(digest_mails(env)), lambda m: len(m) == 1)
        assert mail["To"] == "a-dsl@example.org"
        assert "1 concern, 1 false positive, 1 no further action" in str(mail.get_payload())
        # Only the urgent alert was mailed at once; the concern waited for the digest.
        at_once = [m for m in mails(env) if str(m["Subject"]).startswith("URGENT")]
        assert len(at_once) == 1 and len(mails(env)) == 2

    async def test_only_the_schools_people_and_the_la_read_it(self, env: Env) -> None:
        await graded(env, "e1", "concern", "keep an eye on this pupil")
        env.clock.now = NEXT_MORNING
        with pytest.raises(Forbidden):
            await env.call("SendDueDigests", DSL_A)
        with pytest.raises(InvalidInput, match="ahead of time"):
            await env.call("SendDueDigests", ADMIN,
                           as_of=(NEXT_MORNING + timedelta(days=1)).isoformat())
        assert (await env.call("SendDueDigests", ADMIN))["sent"] == [A]
        await eventually(lambda: env.call("ListDigests", ADMIN, school_id=A),
                         lambda p: p["total"] == 1)
        for outsider in (DSL_B, TEACHER_A):
            with pytest.raises(Forbidden):
                await env.call("ListDigests", outsider, school_id=A)


async def _async(value: list[Message]) -> list[Message]:
    return value
