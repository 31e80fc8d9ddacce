"""A stopping service cancels its long-running loops; each must end, whatever else happens in
the same instant. On Python 3.11 `asyncio.wait_for` returned normally when the awaited event
was set in the loop turn that cancelled the task, so the cancellation was lost: a consumer
woken by a message, or a mailer woken by a commit, just as the service stopped ran on until
the supervisor killed the process (CI: "compliance did not stop in 10s")."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from email.message import EmailMessage
from typing import Any

from shared.db import Database
from shared.events import Envelope, Event, wait_set
from shared.mail import Mailer, MailSettings, mail_metadata
from shared.pull import _Inbox


async def stops_when_woken_and_cancelled(loop: Callable[[], Coroutine[Any, Any, None]],
                                         wake: Callable[[], Any]) -> bool:
    """Start `loop`, let it settle into its wait, then wake it and cancel it in one turn;
    whether the task ended (the bound is generous: a lost cancel never ends)."""
    task = asyncio.create_task(loop())
    await asyncio.sleep(0.05)
    woken = wake()
    if asyncio.iscoroutine(woken):  # run to completion without yielding to the loop
        try:
            woken.send(None)
        except StopIteration:
            pass
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return bool(done)


async def test_a_wait_keeps_the_cancel_that_comes_with_its_event() -> None:
    event = asyncio.Event()

    async def loop() -> None:
        while True:
            await wait_set(event, 1.0)
            event.clear()

    assert await stops_when_woken_and_cancelled(loop, event.set)


async def test_a_wait_tells_a_timeout_from_its_event() -> None:
    event = asyncio.Event()
    assert await wait_set(event, 0.01) is False
    event.set()
    assert await wait_set(event, 0.01) is True


async def test_a_pull_stops_when_a_message_comes_with_the_cancel() -> None:
    inbox = _Inbox()

    async def loop() -> None:  # the shape of `Pull.batches`: a quiet spell asks again
        while True:
            try:
                await inbox.take(10, 1.0)
            except TimeoutError:
                continue

    assert await stops_when_woken_and_cancelled(loop, lambda: inbox.put(object()))  # type: ignore[arg-type]


class Quiet(Mailer):
    name = "quiet-mailer"

    def compose(self, env: Envelope, event: Event) -> list[EmailMessage]:
        return []


async def test_mail_delivery_stops_when_a_commit_comes_with_the_cancel() -> None:
    db = Database("sqlite+aiosqlite://")
    await db.create_all(mail_metadata)

    async def send(msg: EmailMessage) -> None:
        pass

    mailer = Quiet(MailSettings(), send)
    try:
        assert await stops_when_woken_and_cancelled(mailer.delivery(db), mailer.committed)
    finally:
        await db.dispose()
