"""The per-request context every resolver gets, and the `IsAuthenticated` permission."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from pydantic import BaseModel
from starlette.requests import HTTPConnection
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from services.gateway.auth import TokenIssuer
from services.gateway.ratelimit import FailureWindow
from shared.claims import Claims, Origin
from shared.errors import Unauthenticated
from shared.rpc import RpcClient


@dataclass(frozen=True)
class Context:
    request: HTTPConnection
    rpc: RpcClient
    tokens: TokenIssuer
    logins: FailureWindow
    claims: Claims | None  # verified from the bearer token; None when signed out
    auth_problem: str | None = None  # why a token that was sent got refused

    @property
    def client_ip(self) -> str:
        return self.request.client.host if self.request.client else "unknown"

    @property
    def caller(self) -> Claims:
        """The signed-in caller (resolvers behind `IsAuthenticated` may rely on it)."""
        if self.claims is None:
            raise Unauthenticated(self.auth_problem or "sign in first")
        return self.claims

    async def call(self, service: str, name: str, body: BaseModel | dict[str, Any]) -> Any:
        """An RPC on behalf of the caller; the service decides, errors come back typed."""
        return await self.rpc.call(service, name, body, self.claims)


Info = strawberry.Info[Context, None]


def with_origin(claims: Claims | None, request: HTTPConnection) -> Claims | None:
    """The claims with where this request came from, for the services' audit trail: the direct
    peer, or the client a trusted proxy names (`ESAFETY_TRUSTED_PROXIES`, see app.py)."""
    if claims is None:
        return None
    ip = request.client.host if request.client else "unknown"
    agent = request.headers.get("user-agent", "")[:300]
    return claims.model_copy(update={"origin": Origin(ip=ip, user_agent=agent)})


class IsAuthenticated(BasePermission):
    message = "sign in first (send 'Authorization: Bearer <token>' or 'ApiKey <key>')"
    error_extensions = {"code": "unauthenticated"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if info.context.auth_problem:
            # Say why the token failed (expired, tampered...) rather than a bare "sign in".
            raise Unauthenticated(info.context.auth_problem)
        return info.context.claims is not None


def signed_in() -> list[FieldExtension]:
    """Field extensions for a field that needs a signed-in caller."""
    return [PermissionExtension(permissions=[IsAuthenticated()])]
