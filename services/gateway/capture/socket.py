"""Who is on a websocket: browsers cannot set headers on one, so the token comes in the
graphql-transport-ws `connection_init` payload (`{"authorization": "Bearer ..."}`) or as the
`token` query parameter; an `Authorization` header on the handshake works too."""

from __future__ import annotations

from typing import Any

from services.gateway.auth import SessionChecker, bearer_token
from services.gateway.context import Context
from shared.claims import Claims
from shared.errors import Unauthenticated


class SocketContext(Context):
    """A websocket's context. Not a dataclass of its own: strawberry sets `connection_params`
    on it after `connection_init`, which the frozen `Context` would refuse."""

    connection_params: dict[str, Any] | None = None
    sessions: SessionChecker | None = None  # a token sent in the payload is checked here

    @classmethod
    def of(cls, ctx: Context, sessions: SessionChecker | None = None) -> SocketContext:
        socket = cls(request=ctx.request, rpc=ctx.rpc, tokens=ctx.tokens, logins=ctx.logins,
                     claims=ctx.claims, auth_problem=ctx.auth_problem)
        socket.sessions = sessions
        return socket


async def socket_caller(ctx: Context) -> Claims:
    """The caller of a subscription. A token from the payload gets the same session check as
    one in a request's header: a leaver's or demoted person's token is refused."""
    params = getattr(ctx, "connection_params", None) or {}
    sent = params.get("authorization") or params.get("Authorization")
    if not sent and "token" in ctx.request.query_params:
        sent = f"Bearer {ctx.request.query_params['token']}"
    if isinstance(sent, str) and sent:
        token = bearer_token(sent)
        if token is None:
            raise Unauthenticated("send 'Bearer <token>' in the connection_init payload")
        claims = ctx.tokens.verify(token)
        sessions = getattr(ctx, "sessions", None)
        return await sessions.check(claims) if sessions is not None else claims
    return ctx.caller
