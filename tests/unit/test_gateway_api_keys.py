"""The gateway's side of API keys: the headers it reads, and its short-lived verdict cache."""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.auth import KeyVerifier, api_key
from shared.claims import Claims, Role
from shared.errors import Unauthenticated
from shared.rpc import RpcClient

CLAIMS = Claims(subject="key:k1", school_id="oakridge", la_id="la",
                roles=frozenset({Role.INTEGRATOR}))


class FakeDirectory(RpcClient):
    def __init__(self) -> None:
        self.calls = 0
        self.revoked = False

    async def call(self, service: str, name: str, body: Any, caller: Claims | None) -> Any:
        self.calls += 1
        if self.revoked:
            raise Unauthenticated("this API key was revoked on 2026-11-23")
        return {"claims": CLAIMS.model_dump(mode="json")}


class TestHeaders:
    @pytest.mark.parametrize(("authorization", "x_api_key", "key"), [
        ("ApiKey esk_a_b", None, "esk_a_b"),
        ("apikey  esk_a_b ", None, "esk_a_b"),
        (None, "esk_a_b", "esk_a_b"),
        ("Bearer token", None, None),
        (None, None, None),
    ])
    def test_reads_either_header(self, authorization: str | None, x_api_key: str | None,
                                 key: str | None) -> None:
        assert api_key(authorization, x_api_key) == key

    @pytest.mark.parametrize(("authorization", "x_api_key"), [("ApiKey ", None), (None, " ")])
    def test_an_empty_key_is_refused(self, authorization: str | None,
                                     x_api_key: str | None) -> None:
        with pytest.raises(Unauthenticated):
            api_key(authorization, x_api_key)


class TestCache:
    async def test_asks_once_per_ttl_and_remembers_refusals_too(self) -> None:
        now = [0.0]
        directory = FakeDirectory()
        keys = KeyVerifier(directory, ttl=5, clock=lambda: now[0])
        assert await keys.verify("esk_k1_x") == CLAIMS
        assert await keys.verify("esk_k1_x") == CLAIMS
        assert directory.calls == 1
        directory.revoked, now[0] = True, 5.0
        for _ in range(2):
            with pytest.raises(Unauthenticated, match="revoked"):
                await keys.verify("esk_k1_x")
        assert directory.calls == 2
