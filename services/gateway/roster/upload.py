"""`POST /integrations/oneroster?mode=full|delta[&schoolId=...]`: a OneRoster zip in the body.

Answers the change report as JSON (or `{"error": {code, message}}` with 400/401/403/413/503).
The school is the key's own; admins signed in with a token name it with `schoolId`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.directory.integrations.contracts import SyncMode
from services.gateway.context import Context
from services.gateway.http import ContextOf, endpoint, read_body
from services.gateway.roster.oneroster import parse
from services.gateway.roster.sync import Roster, sync
from shared.errors import InvalidInput

MAX_UPLOAD = 20 * 1024 * 1024


def oneroster_upload(context: ContextOf) -> Callable[[Request], Awaitable[Response]]:
    async def upload(request: Request, ctx: Context) -> JSONResponse:
        caller = ctx.caller  # signed in before any work on the upload
        school = request.query_params.get("schoolId") or caller.school_id
        mode = request.query_params.get("mode", "delta").lower()
        if mode not in {m.value for m in SyncMode}:
            raise InvalidInput("mode must be full or delta", field="mode")
        body = await read_body(request, MAX_UPLOAD)
        parsed = await asyncio.to_thread(parse, body)
        roster = Roster(school, SyncMode(mode), parsed.people, parsed.labels,
                        parsed.classes, parsed.rejected)
        report = await sync(ctx.call, roster)
        return JSONResponse(report.model_dump(mode="json"))

    return endpoint(context, upload)
