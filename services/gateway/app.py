"""The ASGI app: `/graphql` (GraphiQL in a browser), `/healthz`, `/integrations/*`, and `/`: the
web UI's built static files (`services/gateway/web/`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import nats
from nats.aio.client import Client
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.gateway.agreement.download import register_csv
from services.gateway.auth import (
    KeyVerifier,
    SessionChecker,
    TokenIssuer,
    api_key,
    bearer_token,
    signing_key,
)
from services.gateway.capture.http import capture_upload
from services.gateway.capture.socket import SocketContext
from services.gateway.compliance.http import filtering_upload
from services.gateway.context import Context, with_origin
from services.gateway.ratelimit import FailureWindow
from services.gateway.records.download import subject_access_download
from services.gateway.reporting.download import report_download
from services.gateway.roster.upload import oneroster_upload
from services.gateway.schema import build_schema
from services.gateway.settings import GatewaySettings
from services.gateway.webui import web_ui
from shared.claims import Claims
from shared.errors import Unauthenticated
from shared.rpc import RpcClient, ServiceUnavailable
from shared.settings import Settings
from shared.telemetry import setup_tracing

log = logging.getLogger(__name__)



@dataclass
class Runtime:
    """What the app holds for its lifetime; NATS is connected by the lifespan."""

    settings: GatewaySettings
    tokens: TokenIssuer
    logins: FailureWindow
    nc: Client | None = field(default=None, repr=False)
    rpc: RpcClient | None = field(default=None, repr=False)
    keys: KeyVerifier | None = field(default=None, repr=False)
    sessions: SessionChecker | None = field(default=None, repr=False)

    async def context(self, request: HTTPConnection) -> Context:
        assert self.rpc is not None and self.keys is not None and self.sessions is not None, \
            "the lifespan has not started"
        claims: Claims | None = None
        problem = None
        headers = request.headers
        try:
            key = api_key(headers.get("authorization"), headers.get("x-api-key"))
            if key is not None:
                claims = await self.keys.verify(key)
            else:
                token = bearer_token(headers.get("authorization"))
                claims = await self.sessions.check(self.tokens.verify(token)) if token else None
        except Unauthenticated as exc:
            problem = exc.message
        except ServiceUnavailable:
            problem = "the API key or session could not be checked just now; try again"
        return Context(request=request, rpc=self.rpc, tokens=self.tokens, logins=self.logins,
                       claims=with_origin(claims, request), auth_problem=problem)


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, runtime: Runtime) -> None:
        production = runtime.settings.production
        super().__init__(build_schema(production=production),
                         graphql_ide=None if production else "graphiql",
                         # Subscriptions (alerts) over websockets at /graphql.
                         subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,))
        self.runtime = runtime

    async def get_context(self, request: Request | WebSocket,
                          response: Response | WebSocket) -> Context:
        context = await self.runtime.context(request)
        return SocketContext.of(context, self.runtime.sessions) \
            if isinstance(request, WebSocket) else context


def create_app(settings: Settings) -> Starlette:
    gw = GatewaySettings.of(settings)
    tracing = setup_tracing("gateway", gw)
    runtime = Runtime(gw, TokenIssuer(signing_key(gw), timedelta(minutes=gw.token_ttl_minutes)),
                      FailureWindow(gw.login_max_failures, gw.login_window_seconds))

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Pinged every 20 s, not 120: a connection that stops answering (or whose reading
        # stopped) is replaced within a minute instead of failing every request for six.
        runtime.nc = await nats.connect(gw.nats_url, name="gateway", max_reconnect_attempts=-1,
                                        ping_interval=20, max_outstanding_pings=3)
        runtime.rpc = RpcClient(runtime.nc, timeout=gw.rpc_timeout)
        runtime.keys = KeyVerifier(runtime.rpc)
        runtime.sessions = SessionChecker(runtime.rpc)
        log.info("gateway connected to NATS at %s", gw.nats_url_redacted())
        try:
            yield
        finally:
            await runtime.nc.drain()

    async def healthz(_: Request) -> JSONResponse:
        # Not ready without NATS: every query goes through it, so take this pod out of rotation.
        status = _nats_status(runtime.nc)
        ok = status == "connected"
        return JSONResponse({"status": "ok" if ok else "unavailable", "nats": status},
                            status_code=200 if ok else 503)

    graphql = GraphQLApp(runtime)
    return Starlette(
        routes=[Route("/healthz", healthz),
                Route("/graphql", graphql, methods=["GET", "POST"]),
                WebSocketRoute("/graphql", graphql),
                Route("/integrations/oneroster", oneroster_upload(runtime.context),
                      methods=["POST"]),
                Route("/agreements/register.csv", register_csv(runtime.context)),
                Route("/integrations/captures", capture_upload(runtime.context), methods=["POST"]),
                Route("/integrations/filtering", filtering_upload(runtime.context),
                      methods=["POST"]),
                Route("/reports/{report_id}.{format:str}", report_download(runtime.context),
                      methods=["GET"]),
                Route("/subject-access/{request_id}.{format:str}",
                      subject_access_download(runtime.context), methods=["GET"]),
                # Last: the UI's files answer whatever the API routes above did not.
                Mount("/", web_ui())],
        middleware=[*_proxy_headers(gw),
                    Middleware(OpenTelemetryMiddleware, tracer_provider=tracing)],
        lifespan=lifespan,
    )


def _proxy_headers(gw: GatewaySettings) -> list[Middleware]:
    """Behind trusted reverse proxies, the client is the one their X-Forwarded-For names (the
    nearest address in it that is not itself a trusted proxy): the address the audit trail
    records and logins are limited by. From anyone else the header is ignored."""
    if not gw.proxies:
        return []
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=gw.proxies)]


def _nats_status(nc: Client | None) -> str:
    if nc is None or nc.is_closed:
        return "closed"
    if nc.is_connected:
        return "connected"
    return "reconnecting" if nc.is_reconnecting else "connecting"
