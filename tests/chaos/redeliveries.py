"""Counts redeliveries as they are answered: a consumer acknowledges (or naks, or parks) a
message on its reply subject, `$JS.ACK.<stream>.<consumer>.<delivered>.<...>`, whose third
token after the prefix is the delivery count. Subscribing only to counts 2 and up keeps the
(many) first deliveries on the server."""

from __future__ import annotations

from nats.aio.client import Client
from nats.aio.msg import Msg

MAX_COUNTED = 12  # the consumers' server-side limit is 8 deliveries


class Redeliveries:
    def __init__(self) -> None:
        self.answered = 0

    async def watch(self, nc: Client) -> None:
        async def seen(_: Msg) -> None:
            self.answered += 1

        for n in range(2, MAX_COUNTED + 1):
            # The classic reply subject has 9 tokens; the newer one (domain, account hash,
            # a random token) has 12: both, each only ever matching its own form.
            await nc.subscribe(f"$JS.ACK.*.*.{n}.*.*.*.*", cb=seen)
            await nc.subscribe(f"$JS.ACK.*.*.*.*.{n}.*.*.*.*.*", cb=seen)
