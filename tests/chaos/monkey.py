"""The faults: SIGKILL each service at random moments and start it again; SIGKILL the broker
once and start it again. Redeliveries come from both (a killed consumer's unacknowledged
batch returns after the short ack wait) and from batches slower than that ack wait."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field

from tests.chaos.cluster import Cluster

log = logging.getLogger("chaos")


@dataclass
class Faults:
    kills: dict[str, int] = field(default_factory=dict)
    nats_restarts: int = 0


class Monkey:
    def __init__(self, cluster: Cluster, kills_per_service: int, seed: int = 7,
                 pause: tuple[float, float] = (2.0, 8.0), keep_killing: bool = True) -> None:
        self.cluster, self.rng = cluster, random.Random(seed)
        self.kills_per_service, self.pause = kills_per_service, pause
        self.keep_killing = keep_killing
        self.faults = Faults({name: 0 for name in cluster.services})
        self.broker_done = False

    def _schedule(self) -> list[str]:
        """Every service `kills_per_service` times, in a random order; the broker once, in
        the middle."""
        order = [s for s in self.cluster.services for _ in range(self.kills_per_service)]
        self.rng.shuffle(order)
        order.insert(len(order) // 2, "nats")
        return order

    async def run(self, done: asyncio.Event) -> Faults:
        """Inject faults until the schedule is done; then, with `keep_killing`, at random
        until the load is done too (each kill is a random point in that service's work)."""
        schedule = self._schedule()
        while schedule or (self.keep_killing and not done.is_set()):
            if not await self._wait(done if not schedule else None):
                break
            target = schedule.pop(0) if schedule else self.rng.choice(self.cluster.services)
            if target == "nats":
                await self._restart_broker()
            else:
                await self._kill(target)
        return self.faults

    async def _wait(self, done: asyncio.Event | None) -> bool:
        delay = self.rng.uniform(*self.pause)
        if done is None:
            await asyncio.sleep(delay)
            return True
        try:
            await asyncio.wait_for(done.wait(), delay)
            return False
        except TimeoutError:
            return True

    async def _kill(self, name: str) -> None:
        log.info("SIGKILL %s", name)
        self.cluster.kill(name)
        self.faults.kills[name] += 1
        await asyncio.sleep(self.rng.uniform(0.0, 2.0))
        self.cluster.restart(name)

    async def _restart_broker(self) -> None:
        log.info("SIGKILL nats-server")
        self.cluster.nats.kill()
        await asyncio.sleep(self.rng.uniform(1.0, 3.0))
        await asyncio.to_thread(self.cluster.nats.start, 30.0)
        self.faults.nats_restarts += 1
