"""Plain HTTP endpoints beside GraphQL (uploads, file downloads): the same callers, the same
typed errors, as JSON `{"error": {code, message}}` with the matching status."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from services.gateway.context import Context
from shared.errors import DomainError, InvalidInput

STATUS = {"invalid": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404,
          "too_large": 413, "conflict": 409, "already_exists": 409, "rate_limited": 429,
          "unavailable": 503}

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


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    """A file download that no cache keeps (exports hold personal data)."""
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


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


def json_items(body: bytes, key: str, limit: int) -> list[Any]:
    """An integrator's JSON batch: one object, a list, or `{key: [...]}` (up to `limit`)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}", field="body") from None
    if isinstance(data, dict) and isinstance(data.get(key), list):
        data = data[key]
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InvalidInput(f"no {key} in the request", field=key)
    if len(items) > limit:
        raise InvalidInput(f"at most {limit} {key} per request (got {len(items)})", field=key)
    return items
