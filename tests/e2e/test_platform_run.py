"""`python -m shared.supervisor` end to end, as a user runs it.

Start it on an empty data folder, wait for the printed logins, sign in over GraphQL and list a
school's people; Ctrl-C it (exit 0, no process left); start it again on the same folder and
find the same people (data kept, demo load idempotent).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from services import SERVICES
from services.directory.demo import GLENFIELD, LOGINS_FILE, OAKRIDGE, SchoolSpec
from shared.natsserver import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "e2e-demo-password"
BOOT_TIMEOUT = 180.0  # a bound for a slow or shared CI machine; it takes seconds here
STOP_TIMEOUT = 60.0
READY = "Platform ready"

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
PEOPLE = """query($s: String!, $leavers: Boolean!) {
  people(schoolId: $s, includeLeavers: $leavers, limit: 200) { total items { personId } } }"""


@dataclass
class Run:
    """One supervisor process and everything it printed (read on a thread: no pipe stalls)."""

    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    def read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if READY in line:
                self.ready.set()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def graphql_url(self) -> str:
        found = re.search(r"GraphQL: (\S+)", self.output)
        assert found, self.output
        return found.group(1)


def _start(data_dir: Path, port: int) -> Run:
    env = {**os.environ, "ESAFETY_DATA_DIR": str(data_dir), "ESAFETY_GATEWAY_PORT": str(port),
           "ESAFETY_DEMO_PASSWORD": PASSWORD}
    for name in ("NATS_URL", "ESAFETY_NATS_URL"):  # the supervisor's own broker, not a shared one
        env.pop(name, None)
    proc = subprocess.Popen([sys.executable, "-m", "shared.supervisor"], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    run = Run(proc)
    threading.Thread(target=run.read, daemon=True).start()
    deadline = time.monotonic() + BOOT_TIMEOUT
    while not run.ready.wait(0.2):
        assert proc.poll() is None, f"exited with {proc.returncode}:\n{run.output}"
        assert time.monotonic() < deadline, f"not ready in {BOOT_TIMEOUT}s:\n{run.output}"
    return run


def _stop(run: Run) -> int:
    run.proc.send_signal(signal.SIGINT)
    return run.proc.wait(STOP_TIMEOUT)


def _platform_pids(data_dir: Path) -> set[int]:
    """Processes of this platform: each has the data folder in its environment (NATS inherits
    it) or command line. Other tests' processes never name this temp folder."""
    marker = str(data_dir).encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            seen = (entry / "environ").read_bytes() + (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if marker in seen:
            found.add(int(entry.name))
    return found


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    data = tmp_path / "data"
    yield data
    for pid in _platform_pids(data):  # only after a failure: never leave a platform running
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _gql(url: str, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = httpx.post(url, json={"query": query, "variables": variables}, headers=headers,
                      timeout=30)
    body = resp.json()
    assert resp.status_code == 200 and not body.get("errors"), body
    return body["data"]


def _token(url: str, username: str) -> str:
    token = _gql(url, LOGIN, {"u": username, "p": PASSWORD})["login"]["token"]
    assert isinstance(token, str)
    return token


def _people(url: str, token: str, school: SchoolSpec, leavers: bool = True) -> set[str]:
    page = _gql(url, PEOPLE, {"s": school.school_id, "leavers": leavers}, token)["people"]
    ids = {p["personId"] for p in page["items"]}
    assert page["total"] == len(ids)
    return ids


def _integrator_key_works(run: Run) -> None:
    """The printed key authenticates: a bad upload is refused as bad, not as unauthenticated."""
    found = re.search(r"oakridge\s+Authorization: ApiKey (\S+)", run.output)
    assert found, run.output
    upload = run.graphql_url().replace("/graphql", "/integrations/oneroster")
    resp = httpx.post(upload, content=b"not a zip", timeout=30,
                      headers={"Authorization": f"ApiKey {found.group(1)}"})
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"]["code"] == "invalid"


STANDARDS = """query($s: String!) { filteringStandards(schoolId: $s) {
  reviewOverdue policyReviewOverdue policy { version } } }"""


def _compliance_demo(url: str, glenfield_dsl: str) -> None:
    """Oakridge's record is up to date; Glenfield's policy review is overdue (loaded once)."""
    oakridge = _gql(url, STANDARDS, {"s": "oakridge"}, _token(url, "oakridge.dsl"))
    assert oakridge["filteringStandards"] == {"reviewOverdue": False,
                                              "policyReviewOverdue": False,
                                              "policy": {"version": 1}}
    glenfield = _gql(url, STANDARDS, {"s": "glenfield"}, glenfield_dsl)
    assert glenfield["filteringStandards"]["policyReviewOverdue"] is True
    assert glenfield["filteringStandards"]["policy"] == {"version": 1}


def _demo_size(school: SchoolSpec) -> int:
    carers = {p.carer for p in school.pupils if p.carer}
    return len(school.members) + len(school.pupils) + len(carers)


def _run_and_stop(data_dir: Path, port: int) -> tuple[set[str], Run]:
    """Start, check the demo through GraphQL, stop; the Oakridge people seen by its DSL."""
    run = _start(data_dir, port)
    try:
        assert len(_platform_pids(data_dir)) >= 3 + len(SERVICES)  # + supervisor, NATS, gateway
        assert re.search(rf"oakridge\.dsl\s+{PASSWORD}\s+oakridge\s+dsl", run.output), run.output
        url = run.graphql_url()
        oakridge = _people(url, _token(url, "oakridge.dsl"), OAKRIDGE)
        glenfield_dsl = _token(url, "glenfield.dsl")
        current = _people(url, glenfield_dsl, GLENFIELD, leavers=False)
        assert len(_people(url, glenfield_dsl, GLENFIELD)) == len(current) + 1  # one leaver
        _compliance_demo(url, glenfield_dsl)
        _integrator_key_works(run)
    finally:
        code = _stop(run)
    assert code == 0, run.output
    assert "did not stop" not in run.output, run.output  # every child obeyed SIGTERM
    assert _platform_pids(data_dir) == set(), run.output
    return oakridge, run


def test_run_stop_and_run_again_keeps_the_data(data_dir: Path) -> None:
    port = free_port()
    first, run = _run_and_stop(data_dir, port)
    assert len(first) == _demo_size(OAKRIDGE)
    assert (data_dir / LOGINS_FILE).stat().st_mode & 0o777 == 0o600
    assert "Traceback" not in run.output, run.output

    again, run = _run_and_stop(data_dir, port)
    assert again == first  # same people: nothing lost, nothing duplicated
    assert "Traceback" not in run.output, run.output
