"""GET /reports/<report id>.csv|.pdf: an issued report's export, with the same authentication
as GraphQL; the reporting service authorises the caller and records the download."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from services.gateway.context import Context
from services.gateway.http import ContextOf, attachment, endpoint
from services.reporting.contracts import SERVICE, ExportFile


def report_download(context: ContextOf) -> Callable[[Request], Awaitable[Response]]:
    async def download(request: Request, ctx: Context) -> Response:
        report_id, fmt = request.path_params["report_id"], request.path_params["format"]
        ctx.caller  # noqa: B018 - raises Unauthenticated when signed out
        found = ExportFile.model_validate(await ctx.call(
            SERVICE, "ExportReport", {"report_id": report_id, "format": fmt}))
        return attachment(base64.b64decode(found.content_base64), found.media_type,
                          found.filename)

    return endpoint(context, download)
