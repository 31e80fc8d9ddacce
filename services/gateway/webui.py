"""The web UI at `/`: the files `npm run build` wrote to `web/dist/` (built by `make`), or
wherever `ESAFETY_WEB_DIR` says (the container image builds them in a stage of its own)."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

DIST = Path(os.environ.get("ESAFETY_WEB_DIR") or Path(__file__).parent / "web" / "dist")

# The UI needs nothing from elsewhere: scripts, styles and connections stay on this origin
# (screenshots arrive as data: URLs; live alerts over ws(s): to /graphql).
POLICY = ("default-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>E-safety platform</title></head><body><h1>E-safety platform</h1>
<p>The web UI has not been built: run <code>make run</code> (or <code>npm ci &amp;&amp; npm run
build</code> in <code>services/gateway/web</code>). The API is at <a href="/graphql">/graphql</a>.
</p></body></html>"""


class _UiFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Content-Security-Policy"] = POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Hashed asset names never change; index.html must be fetched fresh to find them.
        hashed = path.startswith("assets/")
        response.headers["Cache-Control"] = ("public, max-age=31536000, immutable" if hashed
                                             else "no-cache")
        return response


def web_ui(dist: Path = DIST) -> ASGIApp:
    if (dist / "index.html").is_file():
        return _UiFiles(directory=dist, html=True)

    async def not_built(scope: Scope, receive: Receive, send: Send) -> None:
        await HTMLResponse(NOT_BUILT, status_code=503)(scope, receive, send)

    return not_built
