"""The gateway end to end: HTTP -> GraphQL -> NATS RPC -> directory (SQLite) and back."""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from services.gateway.auth import KEY_FILE, TokenIssuer, signing_key
from shared.claims import Claims, Role
from tests.e2e.conftest import LA, LOGIN, PASSWORD, A, Platform
from tests.e2e.helpers import ME, PEOPLE, error


class TestLogin:
    async def test_login_returns_a_token_that_names_the_caller(self, platform: Platform) -> None:
        body = await platform.gql(LOGIN.replace("{ token }", "{ token expiresAt me { roles } }"),
                                  {"u": "a.admin", "p": PASSWORD})
        session = body["data"]["login"]
        assert session["me"]["roles"] == ["SCHOOL_ADMIN"]
        me = (await platform.gql(ME, token=session["token"]))["data"]["me"]
        assert me == {"personId": "a-admin", "name": "Admin Seeded", "schoolId": A,
                      "laId": LA, "roles": ["SCHOOL_ADMIN"]}

    async def test_wrong_password_is_unauthenticated(self, platform: Platform) -> None:
        body = await platform.gql(LOGIN, {"u": "a.teacher", "p": "not the password"})
        assert error(body)["code"] == "unauthenticated"

    async def test_repeated_failures_are_rate_limited(self, platform: Platform) -> None:
        codes = [error(await platform.gql(LOGIN, {"u": "b.admin", "p": f"wrong-{i}"}))["code"]
                 for i in range(5)]
        assert codes == ["unauthenticated"] * 5
        # The sixth try is refused before the password is even checked, right or wrong.
        body = await platform.gql(LOGIN, {"u": "b.admin", "p": PASSWORD})
        assert error(body)["code"] == "rate_limited"

    async def test_signed_out_caller_is_unauthenticated(self, platform: Platform) -> None:
        body = await platform.gql(PEOPLE, {"s": A})
        assert error(body)["code"] == "unauthenticated"

    async def test_login_still_works_with_a_stale_token_sent(self, platform: Platform) -> None:
        body = await platform.gql(LOGIN, {"u": "a.teacher", "p": PASSWORD}, token="stale.junk")
        assert body["data"]["login"]["token"]

    def test_signing_key_is_kept_private_in_the_data_folder(self, platform: Platform) -> None:
        path = platform.settings.data_dir / KEY_FILE
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert signing_key(platform.settings) == path.read_bytes()  # stable across restarts


def _tampered(token: str) -> str:
    head, payload, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["la_admin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{sig}"


def _claims() -> Claims:
    return Claims(subject="a-admin", name="Admin", school_id=A, la_id=LA,
                  roles=frozenset({Role.SCHOOL_ADMIN}))


def _forge(kind: str, key: bytes) -> str:
    issuer = TokenIssuer(key, timedelta(minutes=5))
    match kind:
        case "garbage":
            return "not-a-jwt"
        case "tampered":
            return _tampered(issuer.issue(_claims()).value)
        case "expired":
            return issuer.issue(_claims(), now=datetime.now(UTC) - timedelta(hours=1)).value
        case "other key":
            return TokenIssuer(b"k" * 64, timedelta(minutes=5)).issue(_claims()).value
        case "alg none":
            return jwt.encode({"sub": "a-admin", "school_id": A, "la_id": LA,
                               "roles": ["la_admin"]}, None, algorithm="none")
    raise AssertionError(kind)


class TestRefusedTokens:
    @pytest.mark.parametrize("kind", ["garbage", "tampered", "expired", "other key", "alg none"])
    async def test_is_unauthenticated_not_a_server_error(self, platform: Platform,
                                                         kind: str) -> None:
        token = _forge(kind, signing_key(platform.settings))
        err = error(await platform.gql(ME, token=token))
        assert err["code"] == "unauthenticated"
        assert ("expired" in err["message"]) == (kind == "expired")

    async def test_control_the_same_token_untouched_is_accepted(self, platform: Platform) -> None:
        token = TokenIssuer(signing_key(platform.settings), timedelta(minutes=5)).issue(_claims())
        body = await platform.gql(ME, token=token.value)
        assert body["data"]["me"]["personId"] == "a-admin"

    async def test_a_header_without_bearer_is_unauthenticated(self, platform: Platform) -> None:
        resp = await platform.http.post("/graphql", json={"query": ME},
                                        headers={"Authorization": "Basic abc"})
        assert resp.status_code == 200
        assert error(resp.json())["code"] == "unauthenticated"
