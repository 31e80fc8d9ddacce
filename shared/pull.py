"""A durable JetStream pull consumer that hands over messages as they arrive, in batches.

Why not nats-py's `fetch`: a fetch of n returns once n messages came or its timeout passed, so
an event arriving alone waited out the timeout (the urgent-alert path crossed two such waits),
and an idle consumer asked the server twice a second. Here one pull request for up to `batch`
messages stays open (`expires` long, with idle heartbeats, so a request lost to a server
restart is noticed within three heartbeats); the server pushes messages into a local queue and
the caller takes whatever has arrived, up to `batch`, the moment there is anything. The next
request goes out only when the caller comes back for more: a batch fetched ahead would wait
unacknowledged while this one applies, and on a slow machine outlive `ack_wait` (redelivered,
counted as a failed delivery: healthy events would end up parked).

The consumer is declared with one filter subject per event type it reads (nats-server 2.10+),
so it never receives the other types. An existing durable is updated in place: JetStream keeps
its position (ack floor) across a filter change, so an upgrade neither replays the stream nor
skips what was not yet acknowledged. (A new durable name per filter set would start from zero:
every projection rebuilt on every upgrade.) A projection that starts handling another type
needs `rebuild` for the events of that type already behind it, as before: those were
acknowledged unread.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass, field

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from shared.events import stop_if_cancelled, wait_set

log = logging.getLogger(__name__)
HEARTBEAT, NO_MESSAGES, TIMED_OUT, CONFLICT, UNAVAILABLE = "100", "404", "408", "409", "503"


@dataclass
class Pull:
    js: JetStreamContext
    stream: str
    durable: str
    filters: Sequence[str]
    ack_wait: float
    max_deliver: int
    batch: int = 500
    expires: float = 30.0
    heartbeat: float = 1.0
    linger: float = 0.02  # how long a burst's next message may take to arrive
    # False for an ephemeral consumer (a replay): one the server lost is an error, not
    # something to declare again.
    redeclare: bool = True
    requests: int = 0  # pull requests sent (a figure for `make bench`)
    # The open request: its reply subject and how many messages it may still bring.
    _prefix: str = field(default="", init=False, repr=False)
    _current: str = field(default="", init=False, repr=False)
    _owed: int = field(default=0, init=False, repr=False)

    async def declare(self) -> None:
        """Create the durable, or update its filters and limits in place (position kept)."""
        await self.js.add_consumer(self.stream, ConsumerConfig(
            name=self.durable, durable_name=self.durable, filter_subjects=list(self.filters),
            ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait, max_deliver=self.max_deliver,
            # One batch out, plus room for messages waiting out a nak delay.
            max_ack_pending=2 * self.batch))

    async def batches(self) -> AsyncGenerator[list[Msg], None]:
        """Messages as they come, `batch` at most at a time; never ends by itself.

        What arrives alone (an urgent event) is handed over at once; while the server says
        more is right behind it (a burst), the batch fills first, for fewer transactions."""
        nc = self.js._nc  # nats-py keeps no public handle on the connection
        inbox = _Inbox()
        # One reply subject per request: a late status of an old request is told apart.
        self._prefix, self._current, self._owed = nc.new_inbox(), "", 0
        sub = await nc.subscribe(f"{self._prefix}.*", cb=inbox.put)
        try:
            while True:
                msgs: list[Msg] = []
                while len(msgs) < self.batch:
                    stop_if_cancelled()  # nats-py may have returned through our cancellation
                    if self._owed == 0:
                        await self._request()
                    try:
                        arrived = await inbox.take(
                            self.batch - len(msgs), self.linger if msgs else 3 * self.heartbeat)
                    except TimeoutError:
                        if msgs:
                            break
                        self._owed = 0  # not even a heartbeat: the request is gone; ask again
                        continue
                    msgs += await self._sort(arrived)
                    if msgs and not msgs[-1].metadata.num_pending:
                        break
                yield msgs
        finally:
            if not nc.is_closed:
                await sub.unsubscribe()

    async def _request(self) -> None:
        self.requests += 1
        self._current, self._owed = f"{self._prefix}.{self.requests}", self.batch
        await self.js._nc.publish(
            f"$JS.API.CONSUMER.MSG.NEXT.{self.stream}.{self.durable}",
            json.dumps({"batch": self.batch, "expires": _ns(self.expires),
                        "idle_heartbeat": _ns(self.heartbeat)}).encode(),
            reply=self._current)

    async def _sort(self, arrived: list[Msg]) -> list[Msg]:
        """The messages among `arrived`; status messages end or keep the current request."""
        msgs = []
        for msg in arrived:
            status = msg.headers.get("Status") if msg.headers and not msg.reply else None
            if status is None:  # (its subject is the event's, whichever request brought it)
                msgs.append(msg)
                self._owed = max(self._owed - 1, 0)
            elif msg.subject != self._current or status == HEARTBEAT:
                continue
            elif status in (NO_MESSAGES, TIMED_OUT):
                self._owed = 0
            else:  # 409: consumer deleted, leader changed, …; 503: no consumer
                log.warning("%s: pull ended with %s %s", self.durable, status,
                            msg.headers.get("Description") if msg.headers else "")
                self._owed = 0
                if not self.redeclare:
                    raise ConnectionError(f"{self.durable}: pull ended with {status}")
                if status in (CONFLICT, UNAVAILABLE):
                    await asyncio.sleep(0.5)
                    await self.declare()
        return msgs


class _Inbox:
    def __init__(self) -> None:
        self.msgs: deque[Msg] = deque()
        self.ready = asyncio.Event()

    async def put(self, msg: Msg) -> None:
        self.msgs.append(msg)
        self.ready.set()

    async def take(self, limit: int, patience: float) -> list[Msg]:
        """What has arrived, up to `limit`; waits `patience` seconds for something."""
        if not self.msgs:
            self.ready.clear()
            if not await wait_set(self.ready, patience):
                raise TimeoutError
        return [self.msgs.popleft() for _ in range(min(limit, len(self.msgs)))]


def _ns(seconds: float) -> int:
    return int(seconds * 1_000_000_000)
