"""`POST /integrations/filtering[?schoolId=...]`: filtering-log summaries over plain HTTP, for
filtering products that do not speak GraphQL. JSON: one summary, a list, or
`{"summaries": [...]}`; answers the same per-item report as GraphQL's
`ingestFilteringSummaries`, or `{"error": {code, message}}` with 400/401/403/413/503. The
school is the key's own; a caller signed in with a token names it with `schoolId`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.compliance.domain.filtering import MAX_BATCH
from services.gateway.compliance.duties import ingest_summaries
from services.gateway.context import Context
from services.gateway.http import ContextOf, endpoint, json_items, read_body

MAX_BYTES = 900 * 1024  # under NATS's 1 MB message, as one request to the service


def filtering_upload(context: ContextOf) -> Callable[[Request], Awaitable[Response]]:
    async def upload(request: Request, ctx: Context) -> JSONResponse:
        school = request.query_params.get("schoolId") or ctx.caller.school_id
        items = json_items(await read_body(request, MAX_BYTES), "summaries", MAX_BATCH)
        return JSONResponse(await ingest_summaries(ctx, school, items))

    return endpoint(context, upload)
