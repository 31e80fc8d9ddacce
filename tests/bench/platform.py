"""The platform on the generated data set (issue 9, load): every domain service and the gateway
run as their own processes (as `make run` starts them) and catch up on the data set from
JetStream; then GraphQL p50/p95, through the gateway over HTTP, of the moderation queue (an LA
moderator), a school's incident log (its DSL) and a monthly report (its headteacher); and the
resident memory of each process. Figures only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import nats

from services import SERVICES
from services.gateway.auth import TokenIssuer
from shared.claims import Claims, Role, system_claims
from shared.errors import DomainError
from shared.natsserver import free_port
from shared.passwords import hash_password
from shared.rpc import RpcClient
from tests.bench.dataset import LA, school_names
from tests.support.procs import eventually

QUERIES: dict[str, tuple[str, Role, dict[str, Any]]] = {
    "moderation queue": ("{ moderationQueue(limit: 50) { total items { captureId } } }",
                         Role.LA_MODERATOR, {}),
    "incident log": ("query($s: String!) { incidentLog(schoolId: $s, limit: 50) "
                     "{ total items { incidentId } } }", Role.DSL, {}),
    "monthly report": ("query($s: String!, $m: String!) { monthlyReport(schoolId: $s, "
                       "month: $m) { schoolId month } }", Role.HEADTEACHER, {"m": "2026-03"}),
}


@dataclass
class Process:
    name: str
    proc: asyncio.subprocess.Process

    def rss_mb(self) -> float:
        """Peak resident set size so far (VmHWM), in MB."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(kb) / 1024


async def measure_platform(url: str, data: Path, schools: int,
                           repeat: int = 100) -> dict[str, float]:
    secret = secrets.token_urlsafe(48)
    port = free_port()
    env = {**os.environ, "ESAFETY_NATS_URL": url, "ESAFETY_DATA_DIR": str(data),
           "ESAFETY_JWT_SECRET": secret, "ESAFETY_GATEWAY_PORT": str(port)}
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs = [Process(name, await asyncio.create_subprocess_exec(
                sys.executable, "-m", f"services.{name}", env=env, cwd=Path.cwd(),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=(logs / f"{name}.log").open("w")))
             for name in (*SERVICES, "gateway")]
    try:
        await caught_up(url)
        issuer = TokenIssuer(secret.encode(), timedelta(hours=1))
        school = school_names(schools)[0]
        figures: dict[str, float] = {}
        people: dict[Role, str] = {}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            await _until_up(http)
            for label, (query, role, extra) in QUERIES.items():
                home = LA if role is Role.LA_MODERATOR else school
                if role not in people:
                    people[role] = await _account(
                        url, f"bench-{role.value.replace('_', '-')}", home, role)
                person = people[role]
                token = issuer.issue(Claims(subject=person, school_id=home,
                                            la_id=LA, roles=frozenset({role}))).value
                took = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    resp = await http.post("/graphql", headers={"Authorization": f"Bearer {token}"},
                                           json={"query": query,
                                                 "variables": {"s": school, **extra}})
                    took.append(time.perf_counter() - t0)
                    body = resp.json()
                    assert resp.status_code == 200 and not body.get("errors"), body
                took.sort()
                figures[f"{label} p50"] = 1000 * took[len(took) // 2]
                figures[f"{label} p95"] = 1000 * took[int(0.95 * len(took)) - 1]
        for p in procs:
            figures[f"rss {p.name}"] = p.rss_mb()
        return figures
    finally:
        for p in procs:
            if p.proc.returncode is None:
                p.proc.terminate()
        for p in procs:
            await p.proc.wait()


async def caught_up(url: str, within: float = 1800.0) -> None:
    """Every service answers its health check, nothing waits in any consumer, and nothing was
    applied between two looks a second apart."""
    nc = await nats.connect(url)
    rpc = RpcClient(nc, timeout=10)
    before: dict[str, Any] = {}
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            try:
                now = {s: await rpc.call(s, "health", {}, None) for s in SERVICES}
            except Exception:  # not started yet
                continue
            idle = all(not any(h["lag"].values()) for h in now.values())
            if idle and now == before:
                return
            before = now
        raise TimeoutError("the services did not catch up on the data set")
    finally:
        await nc.close()


async def _until_up(http: httpx.AsyncClient) -> None:
    for _ in range(600):
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("the gateway did not start")


async def _account(url: str, person_id: str, school: str, role: Role) -> str:
    """A person with the role and an account in the directory: the gateway checks each
    token's holder is still there (a token for nobody is refused)."""
    nc = await nats.connect(url)
    try:
        rpc, system = RpcClient(nc, timeout=60), system_claims(LA)
        kind = "la_staff" if role is Role.LA_MODERATOR else "staff"
        password_hash = await hash_password(secrets.token_urlsafe(16))
        # The generated data set has no directory entries: the authority and school first.
        with contextlib.suppress(DomainError):  # already there (the second role)
            await rpc.call("directory", "EstablishAuthority",
                           {"la_id": LA, "name": "Bench LA"}, system)
        if school != LA:
            with contextlib.suppress(DomainError):
                await rpc.call("directory", "OnboardSchool", {
                    "school_id": school, "la_id": LA, "name": f"Bench {school}",
                    "urn": "900001", "phase": "primary"}, system)
        for name, extra in (("EnrolPerson", {"kind": kind, "given_name": "Bench",
                                             "family_name": role.value}),
                            ("AssignRole", {"role": role.value}),
                            ("OpenAccount", {"username": person_id,
                                             "password_hash": password_hash})):
            await rpc.call("directory", name, {"school_id": school, "person_id": person_id,
                                               **extra}, system)
        await eventually(lambda: rpc.call("directory", "CheckSession",
                                          {"person_id": person_id}, system),
                         lambda state: bool(state["active"]), within=60)
    finally:
        await nc.close()
    return person_id
