"""The gateway serves the built UI at `/` beside the API, with a strict content policy."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.gateway.webui import web_ui
from tests.ui.conftest import Stack


async def test_the_ui_is_served_beside_the_api(stack: Stack) -> None:
    http = stack.platform.http
    index = await http.get("/")
    assert index.status_code == 200
    assert '<div id="app"></div>' in index.text
    assert "default-src 'self'" in index.headers["content-security-policy"]
    assert index.headers["cache-control"] == "no-cache"
    [script] = [part.split('"')[0] for part in index.text.split('src="')[1:]]
    asset = await http.get(script)
    assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]
    assert "immutable" in asset.headers["cache-control"]
    # The API routes are untouched by the mount at `/`.
    assert (await http.get("/healthz")).json()["status"] == "ok"
    me = await http.post("/graphql", json={"query": "{ me { personId } }"})
    assert me.json()["errors"][0]["extensions"]["code"] == "unauthenticated"
    assert (await http.get("/no-such-file")).status_code == 404


async def test_an_unbuilt_ui_says_how_to_build_it(tmp_path: Path) -> None:
    transport = httpx.ASGITransport(app=web_ui(tmp_path))
    async with httpx.AsyncClient(transport=transport, base_url="http://ui") as client:
        page = await client.get("/")
    assert page.status_code == 503
    assert "make run" in page.text
