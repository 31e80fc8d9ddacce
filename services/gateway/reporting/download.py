"""GET /reports/<report id>.csv|.pdf: an issued report's export, with the same authentication
as GraphQL; the reporting service authorises the caller and records the download."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from services.gateway.context import Context
from services.reporting.contracts import SERVICE, ExportFile
from shared.errors import DomainError

STATUS = {"invalid": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404,
          "unavailable": 503}


def report_download(
        context: Callable[[HTTPConnection], Awaitable[Context]]
) -> Callable[[Request], Awaitable[Response]]:
    async def download(request: Request) -> Response:
        report_id, fmt = request.path_params["report_id"], request.path_params["format"]
        try:
            ctx = await context(request)
            ctx.caller  # noqa: B018 - raises Unauthenticated when signed out
            found = ExportFile.model_validate(await ctx.call(
                SERVICE, "ExportReport", {"report_id": report_id, "format": fmt}))
        except DomainError as exc:
            return JSONResponse({"error": {"code": exc.code, "message": exc.message}},
                                status_code=STATUS.get(exc.code, 500))
        return Response(base64.b64decode(found.content_base64), media_type=found.media_type,
                        headers={"Content-Disposition":
                                 f'attachment; filename="{found.filename}"',
                                 "Cache-Control": "no-store"})

    return download
