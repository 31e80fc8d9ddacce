"""`GET /agreements/register.csv?schoolId=...[&status=&kind=&audience=&yearGroup=&className=
&includeLeavers=true]`: the internet-access register as a CSV file, for a spreadsheet or the
school's records. The same caller and checks as the `accessRegisterCsv` query."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from services.agreement.contracts import SERVICE
from services.gateway.context import Context
from services.gateway.http import ContextOf, endpoint
from shared.errors import InvalidInput

# Query parameter -> the register filter's field.
FILTERS = {"status": "status", "kind": "kind", "audience": "audience",
           "yearGroup": "year_group", "className": "class_name"}


def register_csv(context: ContextOf) -> Callable[[Request], Awaitable[Response]]:
    async def download(request: Request, ctx: Context) -> Response:
        params = request.query_params
        school = params.get("schoolId") or ctx.caller.school_id
        unknown = set(params) - set(FILTERS) - {"schoolId", "includeLeavers"}
        if unknown:
            raise InvalidInput(f"unknown parameter {sorted(unknown)[0]}", field=sorted(unknown)[0])
        query: dict[str, object] = {"school_id": school,
                                    "include_leavers": params.get("includeLeavers") == "true"}
        for param, field in FILTERS.items():
            if param in params:
                # Enum values are lower case in the service; GraphQL shows them upper case.
                query[field] = params[param].lower() if field != "class_name" else params[param]
        done = await ctx.call(SERVICE, "ExportRegister", query)
        name = f"access-register-{school}-{date.today().isoformat()}.csv"
        return Response(str(done["csv"]), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})

    return endpoint(context, download)
