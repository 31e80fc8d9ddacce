"""Trusted proxies (`ESAFETY_TRUSTED_PROXIES`): the gateway believes X-Forwarded-For only from
the proxies it is told to trust. Through one, the client it names is the address the audit
trail records and failed logins are counted against; from anyone else, a forged header changes
neither. The gateway runs on a private NATS with the directory (logins) and the agreement
service (a person's agreement history is an audited read: RecordViewed carries the address)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from pydantic import ValidationError

from services.agreement.handlers import build as build_agreement
from services.directory.handlers import build as build_directory
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from shared.audit import RecordViewed
from shared.natsserver import NatsServer
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LOGIN, PASSWORD, A, seed
from tests.e2e.helpers import error_code
from tests.support.procs import eventually

PROXY, OTHER_PROXY_NET = "10.1.2.3", "10.0.0.0/8"
STRANGER = "198.51.100.9"  # a client straight at the gateway
CLIENT, SECOND_CLIENT = "203.0.113.7", "203.0.113.8"
HISTORY = """query($s: String!, $p: String!) { agreementHistory(schoolId: $s, personId: $p)
  { entry } }"""


class Platform:
    def __init__(self, data: Path, nats_url: str, agreement: Service) -> None:
        self.data, self.nats_url, self.agreement = data, nats_url, agreement

    def gateway(self, peer: str, trusted: str = "") -> httpx.AsyncClient:
        """A client reaching a gateway of its own (its own login counts) from `peer`."""
        settings = GatewaySettings(nats_url=self.nats_url, data_dir=self.data,
                                   jwt_secret="x" * 32, trusted_proxies=trusted)
        app = create_app(settings)
        stack = AsyncExitStack()

        class Client(httpx.AsyncClient):
            async def __aenter__(self) -> Client:
                await stack.enter_async_context(app.router.lifespan_context(app))
                await super().__aenter__()
                return self

            async def __aexit__(self, *exc: Any) -> None:
                await super().__aexit__(*exc)
                await stack.aclose()

        return Client(transport=httpx.ASGITransport(app=app, client=(peer, 40000)),
                      base_url="http://gateway", timeout=30)

    async def viewed_from(self) -> list[str]:
        """The addresses the agreement service's audited reads were recorded from."""
        return [str(e.payload["ip"]) async for batch in self.agreement.kit.store.read_all(
            types=[RecordViewed.type_name]) for e in batch]


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    server = NatsServer(store_dir=tmp_path_factory.mktemp("proxies-nats"))
    server.start()
    data = tmp_path_factory.mktemp("proxies-data")
    try:
        async with AsyncExitStack() as stack:
            services = {}
            for name, build in (("directory", build_directory), ("agreement", build_agreement)):
                service = Service(name, build, Settings(nats_url=server.url, data_dir=data))
                await service.start()
                stack.push_async_callback(service.stop)
                services[name] = service
            nc = await nats.connect(server.url)
            stack.push_async_callback(nc.close)
            await seed(RpcClient(nc))
            yield Platform(data, server.url, services["agreement"])
    finally:
        server.stop()


async def gql(http: httpx.AsyncClient, query: str, variables: dict[str, Any],
              headers: dict[str, str] | None = None) -> dict[str, Any]:
    resp = await http.post("/graphql", json={"query": query, "variables": variables},
                           headers=headers or {})
    assert resp.status_code < 500, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def login(http: httpx.AsyncClient, password: str, forwarded: str | None = None
                ) -> dict[str, Any]:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return await gql(http, LOGIN, {"u": "a.teacher", "p": password}, headers)


async def read_history(http: httpx.AsyncClient, forwarded: str) -> None:
    """a.teacher reads their own agreement history (audited), through `forwarded`."""
    token = (await login(http, PASSWORD, forwarded))["data"]["login"]["token"]
    body = await gql(http, HISTORY, {"s": A, "p": "a-teacher"},
                     {"Authorization": f"Bearer {token}", "X-Forwarded-For": forwarded})
    assert not body.get("errors"), body


class TestUntrusted:
    async def test_a_forged_header_is_not_recorded(self, platform: Platform) -> None:
        before = len(await platform.viewed_from())
        for peer, trusted in ((STRANGER, OTHER_PROXY_NET), (PROXY, "")):  # none by default
            async with platform.gateway(peer, trusted) as http:
                await read_history(http, CLIENT)
        seen = await eventually(platform.viewed_from, lambda ips: len(ips) == before + 2)
        assert seen[before:] == [STRANGER, PROXY]

    async def test_a_forged_header_does_not_escape_the_login_limit(self, platform: Platform
                                                                   ) -> None:
        async with platform.gateway(STRANGER, OTHER_PROXY_NET) as http:
            codes = [error_code(await login(http, f"wrong-{i}", f"192.0.2.{i}"))
                     for i in range(5)]
            assert codes == ["unauthenticated"] * 5
            # A new address in the header each time: still the same caller, refused.
            assert error_code(await login(http, PASSWORD, "192.0.2.99")) == "rate_limited"


class TestTrusted:
    async def test_the_client_the_proxy_names_is_recorded(self, platform: Platform) -> None:
        before = len(await platform.viewed_from())
        async with platform.gateway(PROXY, f"{OTHER_PROXY_NET}, 192.168.0.1") as http:
            # What the client sent first is kept by the proxy: the nearest untrusted wins.
            await read_history(http, f"192.0.2.1, {CLIENT}")
        seen = await eventually(platform.viewed_from, lambda ips: len(ips) == before + 1)
        assert seen[before:] == [CLIENT]

    async def test_logins_are_limited_per_client_behind_the_proxy(self, platform: Platform
                                                                 ) -> None:
        async with platform.gateway(PROXY, OTHER_PROXY_NET) as http:
            codes = [error_code(await login(http, f"wrong-{i}", CLIENT)) for i in range(5)]
            assert codes == ["unauthenticated"] * 5
            assert error_code(await login(http, PASSWORD, CLIENT)) == "rate_limited"
            # Another client behind the same proxy is not held back by the first one.
            assert error_code(await login(http, PASSWORD, SECOND_CLIENT)) is None


def test_a_malformed_proxy_address_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="not an IP address or CIDR"):
        GatewaySettings(trusted_proxies="10.0.0.0/8, proxy.internal")
