"""Helpers for tests that run services as real processes and wait on eventual consistency."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]


async def eventually(probe: Callable[[], Awaitable[T]], ok: Callable[[T], bool],
                     within: float = 30.0, interval: float = 0.1) -> T:
    """Poll `probe` until `ok(result)`; fail with the last result (a bound, not a timing claim)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = await probe()
        if ok(result):
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not reached in {within}s; last: {result!r}")
        await asyncio.sleep(interval)


@dataclass
class ServiceProcess:
    """A service run as `python <script> ...args` with its own environment."""

    script: Path
    args: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @classmethod
    def module(cls, name: str, env: dict[str, str], log: Path) -> ServiceProcess:
        """`python -m services.<name>`: a real service, as the supervisor runs it."""
        return cls(Path("-m"), [f"services.{name}"], env, log)

    def start(self) -> None:
        out = self.log.open("ab")
        self.proc = subprocess.Popen([sys.executable, str(self.script), *self.args], cwd=ROOT,
                                     env={**os.environ, **self.env}, stdout=out,
                                     stderr=subprocess.STDOUT)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def run(self, timeout: float = 60.0) -> int:
        """Run to completion (for one-shot commands)."""
        self.start()
        assert self.proc is not None
        return self.proc.wait(timeout)
