"""Reading what a generated PDF says, for assertions (no PDF library needed)."""

from __future__ import annotations

import re
import zlib


def pdf_text(data: bytes) -> bytes:
    """The PDF's content streams, inflated (fpdf2 compresses them)."""
    out = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(out)
