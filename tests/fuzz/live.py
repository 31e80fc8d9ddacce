"""The whole platform as `make run` starts it (`python -m shared.supervisor`: NATS, every
service and the gateway as processes, the demo data), on a private data folder and ports, plus
what the fuzzer reads of it from outside: logins, event stores, logs."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from services import SERVICES
from services.directory.demo import LOGINS_FILE
from services.directory.demo_keys import KEYS_FILE
from shared.natsserver import free_port
from tests.support.procs import ROOT

READY = "Platform ready."
START_TIMEOUT = 300.0  # a cold start on a busy 2-core machine: about a minute
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
# What a log line of an unhandled failure looks like (Python's logging, uvicorn, faststream).
FAILURE = re.compile(r"Traceback \(most recent call last\)| ERROR | CRITICAL |Exception in ASGI")

NATS_AT = re.compile(r"NATS with JetStream at (nats://\S+)")
Headers = dict[str, str]


@dataclass
class RunningPlatform:
    url: str
    data_dir: Path
    logins: dict[str, str]  # demo username -> password
    keys: dict[str, str]  # school id -> integrator API key
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def nats_url(self) -> str:
        """The broker the supervisor started (it says where in its output)."""
        found = NATS_AT.search((self.data_dir / "platform.out").read_text(errors="replace"))
        assert found, "the supervisor did not say where NATS is"
        return found.group(1)

    def token(self, username: str) -> str:
        if username not in self._tokens:
            resp = httpx.post(f"{self.url}/graphql", timeout=60, json={
                "query": LOGIN, "variables": {"u": username, "p": self.logins[username]}})
            body = resp.json()
            assert not body.get("errors"), body
            self._tokens[username] = body["data"]["login"]["token"]
        return self._tokens[username]

    def bearer(self, username: str) -> Headers:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def api_key(self, school: str) -> Headers:
        return {"Authorization": f"ApiKey {self.keys[school]}"}

    # The event stores are the source of truth for "nothing written": read straight from each
    # service's SQLite file (read-only; the services keep writing meanwhile).
    def _query(self, service: str, sql: str, *args: object) -> list[tuple[Any, ...]]:
        path = self.data_dir / f"{service}.db"
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
            return db.execute(sql, args).fetchall()

    def positions(self) -> dict[str, int]:
        """Each service's last event position: the mark to read new events from."""
        return {s: int(self._query(s, "SELECT coalesce(max(position), 0) FROM events")[0][0])
                for s in SERVICES}

    def events_since(self, marks: dict[str, int]) -> list[tuple[str, str, str]]:
        """(service, event type, trace id) of every event stored after `marks`."""
        found = []
        for service in SERVICES:
            for kind, trace in self._query(service, "SELECT type, trace FROM events "
                                           "WHERE position > ?", marks[service]):
                parent = json.loads(str(trace)).get("traceparent", "") if trace else ""
                found.append((service, str(kind), parent.split("-")[1] if parent else ""))
        return found

    def count(self, service: str, event_type: str) -> int:
        return int(self._query(service, "SELECT count(*) FROM events WHERE type = ?",
                               event_type)[0][0])

    def log_marks(self) -> dict[Path, int]:
        return {p: p.stat().st_size for p in (self.data_dir / "logs").glob("*.log")}

    def log_failures(self, marks: dict[Path, int]) -> list[str]:
        """Lines written since `marks` that report an unhandled failure, by file."""
        lines = []
        for path in sorted((self.data_dir / "logs").glob("*.log")):
            if path.name == "nats.log":
                continue
            with path.open("rb") as f:
                f.seek(marks.get(path, 0))
                text = f.read().decode(errors="replace")
            lines += [f"{path.stem}: {line}" for line in text.splitlines()
                      if FAILURE.search(line)]
        return lines


@contextmanager
def running_platform(data_dir: Path) -> Iterator[RunningPlatform]:
    """`make run` on `data_dir`, on free ports; stopped (gracefully) on exit."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "ESAFETY_NATS_URL")}
    env.update(ESAFETY_DATA_DIR=str(data_dir), ESAFETY_GATEWAY_PORT=str(port),
               ESAFETY_GATEWAY_HOST="127.0.0.1", PYTHONUNBUFFERED="1")
    out_path = data_dir / "platform.out"
    with out_path.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "shared.supervisor"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        _wait_ready(proc, out_path)
        yield RunningPlatform(f"http://127.0.0.1:{port}", data_dir,
                              json.loads((data_dir / LOGINS_FILE).read_text()),
                              json.loads((data_dir / KEYS_FILE).read_text()))
    finally:
        proc.send_signal(signal.SIGINT)  # the supervisor stops gateway, services, then NATS
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _wait_ready(proc: subprocess.Popen[bytes], out: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while READY not in out.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = out.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the platform did not start (see {out}):\n{tail}")
        time.sleep(0.5)
