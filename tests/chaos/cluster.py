"""The platform under test: one nats-server and each service as its own process, which the
chaos driver may SIGKILL and start again at any moment."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.aio.client import Client

from shared.db import Database
from shared.errors import DomainError
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.settings import Settings
from tests.support.procs import ServiceProcess, eventually


@dataclass
class Cluster:
    root: Path
    services: Sequence[str]
    # Short, so a killed consumer's batch is redelivered soon (and slow batches are too).
    ack_wait: float = 2.0
    nats: NatsServer = field(init=False)
    procs: dict[str, ServiceProcess] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.nats = NatsServer(store_dir=self.root / "nats")
        self.data = self.root / "data"
        (self.root / "logs").mkdir(parents=True, exist_ok=True)

    @property
    def settings(self) -> Settings:
        return Settings(nats_url=self.nats.url, data_dir=self.data)

    def env(self, data: Path | None = None) -> dict[str, str]:
        return {"NATS_URL": self.nats.url, "ESAFETY_DATA_DIR": str(data or self.data),
                "ESAFETY_ACK_WAIT_SECONDS": str(self.ack_wait), "DATABASE_URL": ""}

    def db(self, service: str) -> Database:
        return Database(self.settings.database_url_for(service))

    async def start(self) -> None:
        self.nats.start()
        for name in self.services:
            self.procs[name] = ServiceProcess.module(name, self.env(),
                                                     self.root / "logs" / f"{name}.log")
            self.procs[name].start()
        for name in self.services:
            await self.ready(name)

    async def connect(self) -> Client:
        return await nats.connect(self.nats.url, max_reconnect_attempts=-1,
                                  reconnect_time_wait=0.2)

    async def health(self, name: str) -> dict[str, object] | None:
        nc = await nats.connect(self.nats.url)
        try:
            reply: dict[str, object] = await RpcClient(nc, timeout=5).call(name, "health", {},
                                                                           None)
            return reply
        except DomainError:
            return None
        finally:
            await nc.close()

    async def ready(self, name: str, within: float = 300.0) -> None:
        # A cold start on a loaded 2-core machine (imports, migrations) takes many seconds.
        await eventually(lambda: self.health(name), lambda h: h is not None, within=within,
                         interval=0.5)

    def kill(self, name: str) -> None:
        self.procs[name].kill()

    def restart(self, name: str) -> None:
        self.procs[name].start()

    async def stop(self) -> dict[str, int]:
        """SIGTERM every service at once; their exit codes."""
        names = list(self.procs)
        codes = await asyncio.gather(*(asyncio.to_thread(self.procs[n].stop) for n in names))
        return dict(zip(names, codes, strict=True))

    def close(self) -> None:
        for proc in self.procs.values():
            proc.stop()
        self.nats.stop()
