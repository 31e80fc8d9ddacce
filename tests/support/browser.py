"""Real headless Chromium for the UI tests, driven by Playwright's Python package.

Playwright cannot download its own browsers here: it launches Debian's `chromium` (installed by
`make test`), or the binary named by ESAFETY_CHROMIUM.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

from services.gateway.webui import DIST

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

# axe-core comes with the UI's dev dependencies (npm ci); the tests inject it into pages.
AXE = DIST.parent / "node_modules" / "axe-core" / "axe.min.js"


def chromium_path() -> str:
    return os.environ.get("ESAFETY_CHROMIUM", "/usr/bin/chromium")


def require_built_ui() -> None:
    """Fail with the fix, not with a blank page, when the UI or Chromium is missing."""
    if not (DIST / "index.html").is_file() or not AXE.is_file():
        raise RuntimeError(f"the web UI is not built ({DIST}): run `make web` (make test does)")
    if not Path(chromium_path()).is_file():
        raise RuntimeError(f"no Chromium at {chromium_path()}: `apt-get install chromium` "
                           "(make test does) or set ESAFETY_CHROMIUM")


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real, decodable PNG of one colour (the browser must be able to show it)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height))
            + chunk(b"IEND", b""))
