"""Screenshots are checked by content and size, never by name."""

from __future__ import annotations

import base64
import hashlib

import pytest

from services.capture.contracts import MAX_SCREENSHOT_BYTES
from services.capture.screenshots import decode_image
from shared.errors import InvalidInput

PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)
JPEG = b"\xff\xd8\xff\xe0" + bytes(100)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(("data", "kind"), [(PNG, "image/png"), (JPEG, "image/jpeg")])
def test_png_and_jpeg_by_magic_bytes(data: bytes, kind: str) -> None:
    image = decode_image(b64(data))
    assert (image.content_type, image.sha256) == (kind, hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize(("encoded", "reason"), [
    (b64(b"GIF89a" + bytes(10)), "not a PNG or JPEG"),
    (b64(b"<svg onload=alert(1)>"), "not a PNG or JPEG"),
    ("not base64!", "not valid base64"),
    (b64(PNG + bytes(MAX_SCREENSHOT_BYTES)), "larger than 2048 KB"),
])
def test_refusals_say_why(encoded: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        decode_image(encoded)
    assert reason in err.value.message and err.value.field == "screenshot"


def test_the_cap_is_on_the_decoded_size() -> None:
    assert decode_image(b64(PNG + bytes(MAX_SCREENSHOT_BYTES - len(PNG)))).content_type \
        == "image/png"
