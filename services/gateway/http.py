"""Plain HTTP endpoints beside GraphQL (uploads, file downloads): the same callers, the same
typed errors, as JSON `{"error": {code, message}}` with the matching status."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from services.gateway.context import Context
from shared.errors import DomainError

STATUS = {"invalid": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404,
          "too_large": 413, "conflict": 409, "unavailable": 503}

ContextOf = Callable[[HTTPConnection], Awaitable[Context]]
Handler = Callable[[Request, Context], Awaitable[Response]]


def endpoint(context: ContextOf, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint that resolves the caller and answers domain errors as JSON."""
    async def run(request: Request) -> Response:
        try:
            return await handler(request, await context(request))
        except DomainError as exc:
            return error_response(exc)

    return run


def error_response(exc: DomainError) -> JSONResponse:
    return JSONResponse({"error": {"code": exc.code, "message": exc.message}},
                        status_code=STATUS.get(exc.code, 500))


class TooLarge(DomainError):
    code = "too_large"


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it grows past `limit` bytes (never read whole)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the request is larger than {limit // (1024 * 1024)} MB")
        chunks.append(chunk)
    return b"".join(chunks)
