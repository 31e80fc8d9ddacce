"""`POST /integrations/captures[?schoolId=...]`: capture ingest over plain HTTP, for monitoring
products that do not speak GraphQL.

- `application/json`: one capture object, a list, or `{"captures": [...]}` (up to 1,000), with
  screenshots as base64 like the GraphQL `ingestCaptures`;
- `multipart/form-data`: one capture, its fields as form fields and the screenshot as a file
  part named `screenshot` (checked by its bytes, never by its name or declared type).

Answers the same report as GraphQL (per item: accepted, duplicate or rejected with a reason),
or `{"error": {code, message}}` with 400/401/403/413/503. The school is the key's own; a
caller signed in with a token names it with `schoolId`.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from services.capture.contracts import MAX_BATCH, MAX_SCREENSHOT_BYTES
from services.gateway.capture.ingest import ingest
from services.gateway.context import Context
from services.gateway.http import ContextOf, TooLarge, endpoint, json_items, read_body
from shared.errors import InvalidInput

# 1,000 captures with 2 MB screenshots would be ~2.7 GB of base64: larger batches go by form
# or in several requests.
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_FORM_BYTES = MAX_SCREENSHOT_BYTES + 256 * 1024
INT_FIELDS = ("product_severity",)


def capture_upload(context: ContextOf) -> Callable[[Request], Awaitable[Response]]:
    async def upload(request: Request, ctx: Context) -> JSONResponse:
        caller = ctx.caller  # signed in before any work on the body
        school = request.query_params.get("schoolId") or caller.school_id
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "multipart/form-data":
            items = [await _form_item(request)]
        elif kind in ("application/json", ""):
            items = json_items(await read_body(request, MAX_JSON_BYTES), "captures", MAX_BATCH)
        else:
            raise InvalidInput("send application/json or multipart/form-data",
                               field="content-type")
        return JSONResponse(await ingest(ctx, school, items))

    return endpoint(context, upload)


async def _form_item(request: Request) -> dict[str, Any]:
    length = request.headers.get("content-length", "")
    size = int(length) if length.isdigit() else 0
    if size > MAX_FORM_BYTES:
        raise TooLarge(f"the form is larger than {MAX_FORM_BYTES // 1024} KB")
    try:
        form = await request.form(max_files=1, max_fields=30)
    except HTTPException as exc:  # a malformed form, or too many parts
        raise InvalidInput(f"the form could not be read: {exc.detail}", field="body") from None
    try:
        item: dict[str, Any] = {}
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name != "screenshot":
                    raise InvalidInput(f"unexpected file part {name!r}", field=name)
                data = await value.read(MAX_SCREENSHOT_BYTES + 1)
                if data:  # an empty file part means no screenshot
                    item["screenshot"] = base64.b64encode(data).decode()
            elif name in INT_FIELDS:
                item[name] = int(value) if value.strip().isdigit() else value
            elif value != "":
                item[name] = value
    finally:
        await form.close()  # spooled file parts
    return item
