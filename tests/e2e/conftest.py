"""A real platform slice: nats-server, the directory service and the gateway over HTTP.

Started once per session (seconds); tests isolate themselves by the ids they create.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
import uvicorn

from services.directory.handlers import build
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from shared.claims import system_claims
from shared.natsserver import NatsServer, free_port
from shared.passwords import hash_password
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings
from tests.support.procs import eventually

LA, A, B = "testshire", "oakridge", "glenfield"
PASSWORD = "correct horse battery"

# person id, school, kind, role, username (None: no login), year group
PEOPLE: list[tuple[str, str, str, str | None, str | None, int | None]] = [
    ("la-admin", LA, "la_staff", "la_admin", "la.admin", None),
    ("a-admin", A, "staff", "school_admin", "a.admin", None),
    ("a-teacher", A, "staff", "teacher", "a.teacher", None),
    ("a-staff", A, "staff", None, None, None),
    ("b-admin", B, "staff", "school_admin", "b.admin", None),
    ("b-pupil", B, "pupil", None, None, 7),
]


@dataclass
class Platform:
    url: str
    settings: GatewaySettings
    directory: Service
    rpc: RpcClient  # as the platform itself (system claims), for seeding and checks
    http: httpx.AsyncClient
    _tokens: dict[str, str] = field(default_factory=dict)

    async def gql(self, query: str, variables: dict[str, Any] | None = None,
                  token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        resp = await self.http.post("/graphql", json={"query": query, "variables": variables},
                                    headers=headers)
        assert resp.status_code < 500, resp.text
        body: dict[str, Any] = resp.json()
        return body

    async def token(self, username: str) -> str:
        """A session token for a seeded user (cached: argon2 is slow on purpose)."""
        if username not in self._tokens:
            body = await self.gql(LOGIN, {"u": username, "p": PASSWORD})
            assert not body.get("errors"), body
            self._tokens[username] = body["data"]["login"]["token"]
        return self._tokens[username]

    async def events(self) -> int:
        """Every event the directory has stored: the source of truth for "nothing written"."""
        return await self.directory.kit.store.count()

    async def people_of(self, school_id: str) -> set[str]:
        """Who the directory's read model lists at a school (leavers included)."""
        return {p["person_id"] for p in await people_of(self.rpc, school_id)}


LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"


@pytest.fixture(scope="session")
def e2e_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    # A private broker: the directory's streams and durable consumers have fixed names, so a
    # directory started by another suite on a shared broker would cross-feed our projections.
    server = NatsServer(store_dir=tmp_path_factory.mktemp("e2e-nats"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def platform(e2e_nats: NatsServer,
                   tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    data = tmp_path_factory.mktemp("e2e-data")
    directory = Service("directory", build, Settings(nats_url=e2e_nats.url, data_dir=data))
    await directory.start()
    nc = await nats.connect(e2e_nats.url)
    rpc = RpcClient(nc)
    try:
        await seed(rpc)
        async with serve_gateway(e2e_nats.url, data) as (url, settings), \
                httpx.AsyncClient(base_url=url, timeout=30) as http:
            yield Platform(url, settings, directory, rpc, http)
    finally:
        await nc.close()
        await directory.stop()


async def seed(rpc: RpcClient) -> None:
    system = system_claims(LA)

    async def call(rpc_name: str, **body: Any) -> Any:
        return await rpc.call("directory", rpc_name, body, system)

    await call("EstablishAuthority", la_id=LA, name="Testshire County Council")
    await call("OnboardSchool", school_id=A, la_id=LA, name="Oakridge Primary", urn="100001",
               phase="primary")
    await call("OnboardSchool", school_id=B, la_id=LA, name="Glenfield Academy", urn="100002",
               phase="secondary")
    password_hash = await hash_password(PASSWORD)
    for person_id, school, kind, role, username, year in PEOPLE:
        await call("EnrolPerson", school_id=school, person_id=person_id, kind=kind,
                   given_name=person_id.split("-")[1].title(), family_name="Seeded",
                   year_group=year)
        if role:
            await call("AssignRole", school_id=school, person_id=person_id, role=role)
        if username:
            await call("OpenAccount", school_id=school, person_id=person_id, username=username,
                       password_hash=password_hash)
    # The projection is eventually consistent: logins only work once the accounts show.
    async def seen() -> set[tuple[str, str | None]]:
        return {(p["person_id"], p["username"])
                for school in (LA, A, B) for p in await people_of(rpc, school)}

    wanted = {(person_id, username) for person_id, *_, username, _ in PEOPLE}
    await eventually(seen, lambda found: wanted <= found, within=15)


# person id, school, kind, role, username
Login = tuple[str, str, str, str, str]


async def open_logins(platform: Platform, users: list[Login], given_name: str) -> None:
    """Enrol each person with one role and a login; return once every login works."""
    system = system_claims(LA)
    password_hash = await hash_password(PASSWORD)
    for pid, school, kind, role, username in users:
        for name, extra in (("EnrolPerson", {"kind": kind, "given_name": given_name,
                                             "family_name": pid}),
                            ("AssignRole", {"role": role}),
                            ("OpenAccount", {"username": username,
                                             "password_hash": password_hash})):
            await platform.rpc.call("directory", name,
                                    {"school_id": school, "person_id": pid, **extra}, system)

    async def usernames() -> set[str]:
        return {p["username"] for school in (LA, A, B)
                for p in await people_of(platform.rpc, school) if p["username"]}

    await eventually(usernames, lambda got: {u[4] for u in users} <= got, within=15)


async def key_for(platform: Platform, school: str, scopes: list[str]) -> dict[str, str]:
    """The headers of a new integrator key of `school` with `scopes`."""
    return {"Authorization": "ApiKey " + (await platform.rpc.call(
        "directory", "IssueApiKey", {"school_id": school, "name": "NetGuard", "scopes": scopes},
        system_claims(LA)))["secret"]}


async def people_of(rpc: RpcClient, school_id: str) -> list[dict[str, Any]]:
    page = await rpc.call("directory", "ListPeople", {"school_id": school_id, "limit": 200,
                                                       "include_leavers": True},
                          system_claims(LA))
    return list(page["items"])


@asynccontextmanager
async def serve_gateway(nats_url: str,
                        data_dir: Path) -> AsyncIterator[tuple[str, GatewaySettings]]:
    """The gateway under uvicorn inside this event loop, on a free port."""
    # No jwt_secret: the gateway makes and keeps its own key file (tested too).
    settings = GatewaySettings(nats_url=nats_url, data_dir=data_dir, gateway_port=free_port(),
                               jwt_secret="")
    url = f"http://127.0.0.1:{settings.gateway_port}"
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1",
                                           port=settings.gateway_port, log_level="warning"))
    task = asyncio.create_task(server.serve())

    async def health() -> int:
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{url}/healthz")).status_code
        except httpx.TransportError:
            return 0

    try:
        await eventually(health, lambda status: status == 200, within=15, interval=0.05)
        yield url, settings
    finally:
        server.should_exit = True
        await task
