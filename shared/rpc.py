"""Typed request-reply between the gateway (or any caller) and a service, over NATS.

Subject `rpc.<service>.<name>`, queue group per service (competing responders). The request
carries the caller's verified claims; the reply carries data or a typed error whose `code`
maps back to the same `DomainError` class on the caller's side.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, get_type_hints

from faststream.nats import NatsBroker
from nats.aio.client import Client
from opentelemetry import propagate
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.claims import Claims
from shared.errors import ERRORS_BY_CODE, DomainError, InvalidInput, Unauthenticated

log = logging.getLogger(__name__)


class RpcRequest(BaseModel):
    caller: Claims | None = None
    body: dict[str, Any] = {}


class RpcError(BaseModel):
    code: str
    message: str
    field: str | None = None


class RpcReply(BaseModel):
    data: Any = None
    error: RpcError | None = None


class ServiceUnavailable(DomainError):
    code = "unavailable"


Handler = Callable[[Any, Claims], Awaitable[Any]]


@dataclass(frozen=True)
class _Route:
    model: type[BaseModel]
    fn: Handler
    public: bool


class RpcRouter:
    """Collects a service's command and query handlers: `async def h(cmd: Model, caller)`."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.routes: dict[str, _Route] = {}

    def handler(self, name: str, *, public: bool = False) -> Callable[[Handler], Handler]:
        """Decorator; the request model is the type of the handler's first parameter."""
        def register(fn: Handler) -> Handler:
            self.add(name, fn, public=public)
            return fn

        return register

    def add(self, name: str, fn: Handler, *, model: type[BaseModel] | None = None,
            public: bool = False) -> None:
        self.routes[name] = _Route(model or next(iter(get_type_hints(fn).values())), fn, public)

    def subscribe(self, broker: NatsBroker) -> None:
        for name, route in self.routes.items():
            broker.subscriber(f"rpc.{self.service}.{name}", queue=f"rpc-{self.service}",
                              title=f"rpc.{self.service}.{name}")(self._responder(name, route))

    def _responder(self, name: str, route: _Route) -> Callable[[RpcRequest], Awaitable[RpcReply]]:
        async def respond(request: RpcRequest) -> RpcReply:
            return await dispatch(name, route, request)

        return respond


async def dispatch(name: str, route: _Route, request: RpcRequest) -> RpcReply:
    try:
        if request.caller is None and not route.public:
            raise Unauthenticated("sign in first")
        command = route.model.model_validate(request.body)
        caller = request.caller or Claims(subject="anonymous", school_id="", la_id="")
        result = await route.fn(command, caller)
        return RpcReply(data=_plain(result))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return RpcReply(error=RpcError(code="invalid", message=f"{where}: {err['msg']}",
                                       field=where or None))
    except DomainError as exc:
        return RpcReply(error=RpcError(code=exc.code, message=exc.message, field=exc.field))
    except Exception:
        log.exception("rpc %s failed", name)
        return RpcReply(error=RpcError(code="internal", message="internal error"))


def _plain(result: Any) -> Any:
    return TypeAdapter(Any).dump_python(result, mode="json")


class RpcClient:
    def __init__(self, nc: Client, timeout: float = 10.0) -> None:
        self.nc, self.timeout = nc, timeout

    async def call(self, service: str, name: str, body: BaseModel | dict[str, Any],
                   caller: Claims | None) -> Any:
        payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
        headers: dict[str, str] = {}
        propagate.inject(headers)
        data = RpcRequest(caller=caller, body=payload).model_dump_json().encode()
        try:
            msg = await self.nc.request(f"rpc.{service}.{name}", data, timeout=self.timeout,
                                        headers=headers)
        except Exception as exc:
            raise ServiceUnavailable(f"the {service} service did not answer") from exc
        reply = RpcReply.model_validate_json(msg.data)
        if reply.error is not None:
            cls = ERRORS_BY_CODE.get(reply.error.code, InvalidInput)
            if reply.error.code in ("internal", "conflict", "unavailable"):
                cls = _Remote
            err = cls(reply.error.message, field=reply.error.field)
            err.code = reply.error.code
            raise err
        return reply.data


class _Remote(DomainError):
    code = "internal"
