"""Gateway tokens: HS256 JWTs carrying the caller's claims, and the key that signs them."""

from __future__ import annotations

import hashlib
import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from pydantic import ValidationError

from services.directory.contracts import SessionState
from services.directory.integrations.contracts import Verified
from shared.claims import Claims
from shared.errors import InvalidInput, Unauthenticated
from shared.rpc import RpcClient
from shared.settings import Settings

ALGORITHM = "HS256"
ISSUER = "esafety-gateway"
KEY_FILE = "gateway.key"
MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash


def signing_key(settings: Settings) -> bytes:
    """The configured secret, else a random key kept in the data folder across restarts."""
    if settings.jwt_secret:
        key = settings.jwt_secret.encode()
        if len(key) < MIN_SECRET_BYTES:
            raise ValueError(f"ESAFETY_JWT_SECRET needs at least {MIN_SECRET_BYTES} bytes")
        return key
    return _key_file(settings.data_dir / KEY_FILE)


def _key_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two gateways starting together, one writes and the other reads its key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes().strip()
        if len(key) < MIN_SECRET_BYTES:
            raise ValueError(f"{path} holds a key that is too short; delete it") from None
        return key
    key = secrets.token_hex(MIN_SECRET_BYTES).encode()
    with os.fdopen(fd, "wb") as out:
        out.write(key)
    return key


@dataclass(frozen=True)
class Token:
    value: str
    expires_at: datetime


class TokenIssuer:
    def __init__(self, key: bytes, ttl: timedelta) -> None:
        self._key, self.ttl = key, ttl

    def __repr__(self) -> str:  # never show the key in logs or tracebacks
        return f"TokenIssuer(ttl={self.ttl})"

    def issue(self, claims: Claims, now: datetime | None = None) -> Token:
        now = now or datetime.now(UTC)
        expires = now + self.ttl
        payload = {
            "iss": ISSUER, "sub": claims.subject, "name": claims.name,
            "school_id": claims.school_id, "la_id": claims.la_id,
            "roles": sorted(r.value for r in claims.roles),
            "iat": now, "exp": expires, "jti": uuid.uuid4().hex,
        }
        return Token(jwt.encode(payload, self._key, algorithm=ALGORITHM), expires)

    def verify(self, token: str) -> Claims:
        """The claims of a valid token; any fault is `Unauthenticated`, never a server error."""
        try:
            payload = jwt.decode(token, self._key, algorithms=[ALGORITHM], issuer=ISSUER,
                                 options={"require": ["exp", "iat", "sub", "jti", "iss"]})
            return Claims(subject=payload["sub"], name=payload.get("name", ""),
                          school_id=payload["school_id"], la_id=payload["la_id"],
                          roles=frozenset(payload.get("roles", ())))
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("your session has expired; sign in again") from None
        except (jwt.InvalidTokenError, KeyError, TypeError, ValidationError):
            raise Unauthenticated("invalid token; sign in again") from None


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (None when absent)."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>' "
                              "or 'ApiKey <key>'")
    return token.strip()


def api_key(authorization: str | None, x_api_key: str | None) -> str | None:
    """An integrator's key, from `Authorization: ApiKey <key>` or `X-Api-Key: <key>`."""
    if x_api_key is not None:
        if not x_api_key.strip():
            raise Unauthenticated("the X-Api-Key header is empty")
        return x_api_key.strip()
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() != "apikey":
        return None
    if not key.strip():
        raise Unauthenticated("the Authorization header must be 'ApiKey <key>'")
    return key.strip()


class KeyVerifier:
    """Asks the directory (`VerifyApiKey`) and remembers the answer for a few seconds, so a
    busy integrator costs one check per key per `ttl`; a revocation takes effect within it."""

    MAX_ENTRIES = 10_000  # random keys sprayed at us must not grow this without bound

    def __init__(self, rpc: RpcClient, ttl: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rpc, self.ttl, self.clock = rpc, ttl, clock
        self._seen: dict[str, tuple[float, Claims | str]] = {}

    async def verify(self, key: str) -> Claims:
        # Keyed by a hash: the secrets themselves are not kept in memory.
        cache_key = hashlib.sha256(key.encode()).hexdigest()
        hit = self._seen.get(cache_key)
        if hit is None or hit[0] <= self.clock():
            hit = (self.clock() + self.ttl, await self._ask(key))
            if len(self._seen) >= self.MAX_ENTRIES:
                self._seen.clear()
            self._seen[cache_key] = hit
        if isinstance(hit[1], str):
            raise Unauthenticated(hit[1])
        return hit[1]

    async def _ask(self, key: str) -> Claims | str:
        try:
            reply = await self.rpc.call("directory", "VerifyApiKey", {"key": key}, None)
        except Unauthenticated as exc:
            return exc.message
        except InvalidInput:
            return "unknown API key"
        return Verified.model_validate(reply).claims


class SessionChecker:
    """A valid token is not enough: its person must still be at the school with a login and
    the roles the token names (a leaver's or a demoted person's token is refused within
    `ttl` seconds, not when it expires hours later). One directory check per person per
    `ttl`, like `KeyVerifier`."""

    def __init__(self, rpc: RpcClient, ttl: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rpc, self.ttl, self.clock = rpc, ttl, clock
        self._seen: dict[str, tuple[float, SessionState]] = {}

    async def check(self, claims: Claims) -> Claims:
        hit = self._seen.get(claims.subject)
        if hit is None or hit[0] <= self.clock():
            reply = await self.rpc.call("directory", "CheckSession",
                                        {"person_id": claims.subject}, None)
            hit = (self.clock() + self.ttl, SessionState.model_validate(reply))
            if len(self._seen) >= KeyVerifier.MAX_ENTRIES:
                self._seen.clear()
            self._seen[claims.subject] = hit
        state = hit[1]
        if not state.active:
            raise Unauthenticated("this account is no longer active; ask the school")
        if state.roles != claims.roles:
            raise Unauthenticated("your roles have changed; sign in again")
        return claims
