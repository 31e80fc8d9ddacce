"""`python -m shared.supervisor`: the whole embedded platform in one command.

Starts NATS (unless `NATS_URL` names one), every service and the gateway as child processes,
restarts a child that dies, loads the demo data and prints the logins. SIGINT/SIGTERM stop
everything: gateway first, then the services, NATS last. All state lives in the data folder,
so a second run carries on where the first stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import nats
from nats.aio.client import Client

# The one place the kit knows a service: this module is the embedded platform's composition root.
from services import SERVICES  # each runs as `python -m services.<name>`
from services.agreement.demo import load_demo as load_agreement_demo
from services.capture.demo import load_demo as load_capture_demo
from services.compliance.demo import load_demo as load_compliance_demo
from services.directory.demo import LOGINS_FILE, DemoLogin, load_demo
from services.directory.demo_keys import KEYS_FILE, load_demo_keys
from services.incident.demo import load_demo as load_incident_demo
from services.sanction.demo import load_demo as load_sanction_demo
from shared.events import wait_set
from shared.natsserver import NatsServer, free_port
from shared.rpc import RpcClient
from shared.settings import Settings

GATEWAY = "gateway"
NATS_PORT = 4333  # beside, not on, the usual 4222: a developer's own NATS stays untouched
READY_TIMEOUT = 60.0  # per child, from spawn to answering its health check
STOP_TIMEOUT = 10.0  # SIGTERM grace before SIGKILL
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
STABLE_RUN = 30.0  # a child that ran this long before dying restarts at the first backoff
PREFIX_WIDTH = 10

log = logging.getLogger("supervisor")


class StartupError(Exception):
    pass


@dataclass
class Child:
    """One supervised process, restarted with exponential backoff until stopped."""

    name: str
    env: Mapping[str, str]
    log_path: Path
    restarts: int = 0
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name=f"supervise-{self.name}")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def _supervise(self) -> None:
        loop = asyncio.get_running_loop()
        backoff = BACKOFF_FIRST
        with self.log_path.open("ab", buffering=0) as sink:
            while not self._stop.is_set():
                started = loop.time()
                code = await self._run_once(sink)
                if self._stop.is_set():
                    return
                if loop.time() - started > STABLE_RUN:
                    backoff = BACKOFF_FIRST
                self.restarts += 1
                log.warning("%s exited with code %s; restart #%d in %.0fs", self.name, code,
                            self.restarts, backoff)
                await wait_set(self._stop, backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)

    async def _run_once(self, sink: IO[bytes]) -> int:
        # Own session: a terminal's Ctrl-C reaches only the supervisor, which stops children
        # in order; without it they would all die at once and race the restart logic.
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", f"services.{self.name}", env=dict(self.env),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, start_new_session=True,
            preexec_fn=_die_with_parent)
        log.info("started %s (pid %d)", self.name, proc.pid)
        assert proc.stdout is not None
        pump = asyncio.create_task(_pump(self.name, proc.stdout, sink))
        exited = asyncio.create_task(proc.wait())
        stopping = asyncio.create_task(self._stop.wait())
        await asyncio.wait({exited, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not exited.done():
            await _terminate(self.name, proc)
        code = await exited
        with contextlib.suppress(TimeoutError):  # the rest of its output, unless a pipe hangs
            async with asyncio.timeout(2.0):  # (not wait_for: see `wait_set`)
                await pump
        return code


# Looked up before any fork: between fork and exec a child must not load libraries.
_PRCTL = ctypes.CDLL(None).prctl if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: SIGTERM the child if the supervisor itself is killed (no orphans)."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)


async def _terminate(name: str, proc: asyncio.subprocess.Process) -> None:
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        async with asyncio.timeout(STOP_TIMEOUT):
            await proc.wait()
    except TimeoutError:
        log.warning("%s did not stop in %.0fs; killing it", name, STOP_TIMEOUT)
        _signal_group(proc.pid, signal.SIGKILL)
        await proc.wait()


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)  # the child leads its own group: this reaches anything it spawned


async def _pump(name: str, stream: asyncio.StreamReader, sink: IO[bytes]) -> None:
    prefix = f"{name:>{PREFIX_WIDTH}} | "
    while line := await stream.readline():
        sink.write(line)
        sys.stdout.write(prefix + line.decode(errors="replace").rstrip("\n") + "\n")
        sys.stdout.flush()


async def _until_ready(child: Child, probe: Callable[[], Awaitable[bool]]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT
    while not await probe():
        if loop.time() > deadline:
            raise StartupError(f"{child.name} not ready in {READY_TIMEOUT:.0f}s; "
                               f"see {child.log_path}")
        await asyncio.sleep(0.2)
    log.info("%s is ready", child.name)


def _rpc_health(nc: Client, service: str) -> Callable[[], Awaitable[bool]]:
    rpc = RpcClient(nc, timeout=2.0)

    async def probe() -> bool:
        try:
            await rpc.call(service, "health", {}, None)
        except Exception:  # not subscribed yet, or still starting: ask again
            return False
        return True

    return probe


def _http_health(host: str, port: int) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            return False
        try:
            writer.write(f"GET /healthz HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
            await writer.drain()
            async with asyncio.timeout(2.0):
                status = await reader.readline()
            return status.split(b" ")[1:2] == [b"200"]
        except (OSError, TimeoutError):
            return False
        finally:
            writer.close()

    return probe


def _port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As servers do: a port whose last connections linger in TIME_WAIT is still free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _lock(data_dir: Path) -> IO[str]:
    """One platform per data folder: two would share (and corrupt) the same stores."""
    handle = (data_dir / "supervisor.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StartupError(f"another platform is already running on {data_dir}") from None
    return handle


async def _stop_orphans(config: Path) -> None:
    """Stop a nats-server left running on our store by a supervisor that was SIGKILLed (its
    children die with it; NATS, in its own session, does not). We hold the data folder's
    lock, so no live platform owns it; a second server on the same store could corrupt it."""
    for pid in _nats_pids(config):
        log.warning("stopping nats-server pid %d left by an earlier run", pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
            for _ in range(int(STOP_TIMEOUT / 0.1)):
                await asyncio.sleep(0.1)
                os.kill(pid, 0)  # raises once it is gone
            os.kill(pid, signal.SIGKILL)


def _nats_pids(config: Path) -> list[int]:
    """nats-servers running with this config file (Linux /proc; elsewhere none are found)."""
    wanted = str(config.resolve()).encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if Path(os.fsdecode(argv[0])).name == "nats-server" and wanted in argv:
            found.append(int(entry.name))
    return found


@dataclass(frozen=True)
class Demo:
    logins: list[DemoLogin]
    keys: dict[str, str]  # school id -> integrator API key


@dataclass
class Platform:
    settings: Settings
    data_dir: Path
    nats_server: NatsServer | None = None
    nats_url: str = ""
    children: list[Child] = field(default_factory=list)
    _nats_start: asyncio.Future[None] | None = None

    async def start(self) -> Demo:
        await self._start_nats()
        nc = await nats.connect(self.nats_url, name="supervisor")
        try:
            # All at once: each waits in the background for the streams it consumes, so the
            # order does not matter, and a cold start costs the slowest service, not the sum.
            await asyncio.gather(*(_until_ready(self._spawn(name), _rpc_health(nc, name))
                                   for name in SERVICES))
            gateway = self._gateway_address()
            await _until_ready(self._spawn(GATEWAY), _http_health(*gateway))
            log.info("loading the demo data")
            rpc = RpcClient(nc, self.settings.rpc_timeout)
            logins = await load_demo(rpc, self.data_dir)
            keys = await load_demo_keys(rpc, self.data_dir)
            await load_agreement_demo(rpc)
            await load_capture_demo(rpc)
            await load_sanction_demo(rpc)  # the matrices: the incident types come from them
            await load_incident_demo(rpc)
            await load_compliance_demo(rpc)
            return Demo(logins, keys)
        finally:
            await nc.close()

    async def _start_nats(self) -> None:
        if {"NATS_URL", "ESAFETY_NATS_URL"} & os.environ.keys():
            self.nats_url = self.settings.nats_url
            log.info("using the NATS server at %s", self.settings.nats_url_redacted())
            return
        store = self.data_dir / "nats"
        await _stop_orphans(store / "nats-server.conf")
        port = NATS_PORT if _port_free(NATS_PORT) else free_port()
        self.nats_server = NatsServer(store_dir=store, port=port,
                                      log_file=self.data_dir / "logs" / "nats.log")
        # start() blocks; shielded so a Ctrl-C meanwhile still lets stop() find the process.
        self._nats_start = asyncio.ensure_future(asyncio.to_thread(self.nats_server.start))
        await asyncio.shield(self._nats_start)
        self.nats_url = self.nats_server.url
        log.info("NATS with JetStream at %s (store %s)", self.nats_url,
                 self.nats_server.store_dir)

    def _gateway_address(self) -> tuple[str, int]:
        host, port = _client_host(self.settings.gateway_host), self.settings.gateway_port
        if not _port_free(port, host):
            raise StartupError(f"port {port} is in use; set ESAFETY_GATEWAY_PORT to another")
        return host, port

    def _spawn(self, name: str) -> Child:
        env = {**os.environ, "NATS_URL": self.nats_url, "ESAFETY_NATS_URL": self.nats_url,
               "ESAFETY_DATA_DIR": str(self.data_dir), "PYTHONUNBUFFERED": "1"}
        child = Child(name, env, self.data_dir / "logs" / f"{name}.log")
        child.start()
        self.children.append(child)
        return child

    async def stop(self) -> None:
        """Gateway first (it calls the services), then the services together, NATS last."""
        gateway = [c for c in self.children if c.name == GATEWAY]
        services = [c for c in self.children if c.name != GATEWAY]
        for group in (gateway, services):
            await asyncio.gather(*(c.stop() for c in group))
        if self._nats_start is not None:
            await asyncio.gather(self._nats_start, return_exceptions=True)
        if self.nats_server is not None:
            await asyncio.to_thread(self.nats_server.stop)
            log.info("NATS stopped")


def _client_host(host: str) -> str:
    """Where to reach a server from here: a wildcard bind is reachable on loopback."""
    return "127.0.0.1" if host in ("0.0.0.0", "") else host


def _print_ready(settings: Settings, data_dir: Path, demo: Demo) -> None:
    url = f"http://{_client_host(settings.gateway_host)}:{settings.gateway_port}/graphql"
    rows = [("username", "password", "school", "roles")] + [
        (lg.username, lg.password or "(unknown)", lg.school, ", ".join(lg.roles))
        for lg in demo.logins]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[3]
             for r in rows]
    print(f"\nDemo logins (kept in {data_dir / LOGINS_FILE}):", *lines, sep="\n")
    keys = [f"  {school.ljust(12)}Authorization: ApiKey {key}" for school, key in demo.keys.items()]
    print(f"\nIntegrator API keys: roster, captures, filtering (kept in {data_dir / KEYS_FILE}):",
          *keys, sep="\n")
    print(f"\nWeb UI: {url.removesuffix('graphql')}\nGraphQL: {url}\n"
          "Platform ready. Press Ctrl-C to stop.\n", flush=True)


async def run(settings: Settings) -> int:
    data_dir = settings.data_dir.resolve()
    (data_dir / "logs").mkdir(parents=True, exist_ok=True)
    _log_to_file(data_dir / "logs" / "supervisor.log")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    platform = Platform(settings, data_dir)
    try:
        with _lock(data_dir):
            return await _serve(platform, stop)
    except StartupError as exc:
        log.error("%s", exc)
        return 1


async def _serve(platform: Platform, stop: asyncio.Event) -> int:
    code, began = 0, time.monotonic()
    starting = asyncio.create_task(platform.start())
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if starting.done():
            _print_ready(platform.settings, platform.data_dir, starting.result())
            log.info("ready in %.1fs", time.monotonic() - began)
            await stopping
        log.info("stopping")
    except StartupError as exc:
        log.error("%s", exc)
        code = 1
    except Exception:
        log.exception("the platform failed to start")
        code = 1
    finally:
        starting.cancel()
        stopping.cancel()
        await asyncio.gather(starting, stopping, return_exceptions=True)
        await platform.stop()
    log.info("stopped")
    return code


def _log_to_file(path: Path) -> None:
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(handler)


def main() -> None:
    # One console stream, children's lines and ours alike prefixed by who wrote them.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                        format=f"{'supervisor':>{PREFIX_WIDTH}} | %(asctime)s %(levelname)s "
                               "%(message)s")
    sys.exit(asyncio.run(run(Settings())))


if __name__ == "__main__":
    main()
