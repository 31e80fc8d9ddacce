"""GET /subject-access/<request id>.json|.pdf: the bundle, with the same authentication as
GraphQL. The compliance service authorises and records the export first; each service then
answers for its part (and authorises again)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from services.compliance.audit_contracts import SubjectAccessRequestView
from services.compliance.contracts import SERVICE
from services.gateway.context import Context
from services.gateway.http import ContextOf, attachment, endpoint
from services.gateway.records.bundle import collect, to_json, to_pdf

MEDIA = {"json": "application/json", "pdf": "application/pdf"}


def subject_access_download(context: ContextOf) -> Callable[[Request], Awaitable[Response]]:
    async def download(request: Request, ctx: Context) -> Response:
        request_id, fmt = request.path_params["request_id"], request.path_params["format"]
        ctx.caller  # noqa: B018 - raises Unauthenticated when signed out
        opened = SubjectAccessRequestView.model_validate(await ctx.call(
            SERVICE, "OpenSubjectAccess", {"request_id": request_id, "format": fmt}))
        bundle = await collect(ctx, opened)
        content = to_pdf(bundle) if fmt == "pdf" else to_json(bundle)
        filename = f"subject-access-{opened.person_id}-{request_id[:8]}.{fmt}"
        return attachment(content, MEDIA[fmt], filename)

    return endpoint(context, download)
