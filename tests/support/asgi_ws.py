"""A websocket client that drives an ASGI app inside the test's event loop: the real app and
its protocol handling, no server and no websocket library (uvicorn needs one to serve them)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
WAIT_SECONDS = 15.0  # a bound on waiting for the app, not a timing claim
AsgiApp = Callable[[MutableMapping[str, Any], Callable[[], Awaitable[Message]],
                    Callable[[Message], Awaitable[None]]], Coroutine[Any, Any, None]]


class Closed(Exception):
    def __init__(self, code: int | None) -> None:
        super().__init__(f"websocket closed with code {code}")
        self.code = code


class AsgiWebSocket:
    def __init__(self, app: AsgiApp, path: str, query: str = "",
                 subprotocol: str = "graphql-transport-ws") -> None:
        self.app, self.path, self.query, self.subprotocol = app, path, query, subprotocol
        self.to_app: asyncio.Queue[Message] = asyncio.Queue()
        self.from_app: asyncio.Queue[Message] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> AsgiWebSocket:
        scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws",
                 "http_version": "1.1", "path": self.path, "raw_path": self.path.encode(),
                 "query_string": self.query.encode(), "root_path": "",
                 "headers": [(b"host", b"testserver"),
                             (b"sec-websocket-protocol", self.subprotocol.encode())],
                 "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
                 "subprotocols": [self.subprotocol], "state": {}}
        self.task = asyncio.create_task(self.app(scope, self.to_app.get, self.from_app.put))
        await self.to_app.put({"type": "websocket.connect"})
        accepted = await self._next()
        if accepted["type"] != "websocket.accept":
            raise Closed(accepted.get("code"))
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.to_app.put({"type": "websocket.disconnect", "code": 1000})
        assert self.task is not None
        try:
            await asyncio.wait_for(self.task, 10)
        except TimeoutError:
            self.task.cancel()

    async def send(self, data: dict[str, Any]) -> None:
        await self.to_app.put({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive(self) -> dict[str, Any]:
        msg = await self._next()
        if msg["type"] == "websocket.close":
            raise Closed(msg.get("code"))
        data: dict[str, Any] = json.loads(msg["text"])
        return data

    async def _next(self) -> Message:
        async with asyncio.timeout(WAIT_SECONDS):
            return await self.from_app.get()
