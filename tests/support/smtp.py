"""A small SMTP server in the test's event loop (no aiosmtpd here): it takes mail as a real
server would, and can be made slow (the greeting held back until `resume`) or failing (every
session refused with a 421), to test what the platform does when its mail server misbehaves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage


class SmtpStub:
    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.sessions = 0  # connections taken, greeted or not
        self.refused = 0
        self.failing = False
        self._open = asyncio.Event()
        self._open.set()
        self._server: asyncio.Server | None = None
        self.port = 0

    def hold(self) -> None:
        """Slow: sessions wait, ungreeted, until `resume`."""
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    def to(self) -> list[str]:
        return [str(m["To"]) for m in self.received]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.resume()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.sessions += 1
        try:
            await self._open.wait()
            if self.failing:
                self.refused += 1
                writer.write(b"421 stub: service not available, try later\r\n")
                await writer.drain()
                return
            writer.write(b"220 stub ESMTP\r\n")
            await writer.drain()
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"DATA":
                    writer.write(b"354 go on\r\n")
                    await writer.drain()
                    data = (await reader.readuntil(b"\r\n.\r\n"))[:-5]
                    self.received.append(message_from_bytes(
                        data.replace(b"\r\n..", b"\r\n."), policy=policy.default))
                    writer.write(b"250 queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def smtp_stub() -> AsyncIterator[SmtpStub]:
    stub = SmtpStub()
    await stub.start()
    try:
        yield stub
    finally:
        await stub.close()
