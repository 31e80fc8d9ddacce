"""Screenshots: checked by content (magic bytes) and size, stored in the JetStream object
store under their SHA-256, so a re-sent image is stored once and events carry only the hash.

NATS carries at most 1 MB per message (`max_payload`), less than a screenshot may be: callers
with large images put them here first (`ScreenshotStore.put`, which checks them) and send the
hash (`screenshot_sha256`); the gateway does so for every screenshot. The kit does not hand
services its NATS connection yet, so each use opens its own: one per ingest batch or per view,
cheap next to the work it carries.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import ObjectMeta, ObjectStoreConfig, StorageType
from nats.js.errors import BucketNotFoundError, ObjectNotFoundError
from nats.js.object_store import ObjectStore

from services.capture.contracts import MAX_SCREENSHOT_BYTES
from shared.errors import InvalidInput, NotFound

BUCKET = "capture-screenshots"
MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


@dataclass(frozen=True)
class Stored:
    """A screenshot in the store: what an event references."""

    sha256: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Image:
    data: bytes
    sha256: str
    content_type: str

    @property
    def stored(self) -> Stored:
        return Stored(self.sha256, self.content_type, len(self.data))


def decode_image(encoded: str) -> Image:
    """An image from base64, or a precise reason why not."""
    if len(encoded) > (MAX_SCREENSHOT_BYTES * 4) // 3 + 4:
        raise InvalidInput(f"screenshot larger than {MAX_SCREENSHOT_BYTES // 1024} KB",
                           field="screenshot")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("screenshot is not valid base64", field="screenshot") from None
    if len(data) > MAX_SCREENSHOT_BYTES:
        raise InvalidInput(f"screenshot larger than {MAX_SCREENSHOT_BYTES // 1024} KB",
                           field="screenshot")
    kind = next((t for magic, t in MAGIC if data.startswith(magic)), None)
    if kind is None:
        raise InvalidInput("screenshot is not a PNG or JPEG image", field="screenshot")
    return Image(data, hashlib.sha256(data).hexdigest(), kind)


class ScreenshotStore:
    def __init__(self, nats_url: str, replicas: int = 1) -> None:
        self.nats_url, self.replicas = nats_url, replicas

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Bucket]:
        nc = await nats.connect(self.nats_url)
        try:
            yield await bucket_on(nc, self.replicas)
        finally:
            await nc.close()


async def bucket_on(nc: Client, replicas: int = 1) -> Bucket:
    """The screenshot bucket over an open connection (the gateway has one)."""
    return Bucket(await _bucket(nc.jetstream(), replicas))


class Bucket:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    async def put(self, image: Image) -> None:
        if await self.find(image.sha256) is not None:
            return  # content-addressed: the same bytes are already there
        await self.store.put(image.sha256, image.data,
                             ObjectMeta(name=image.sha256, description=image.content_type))

    async def find(self, sha256: str) -> Stored | None:
        """Only `put` writes here, and it checks the content: a stored object is an image."""
        try:
            info = await self.store.get_info(sha256)
        except ObjectNotFoundError:
            return None
        return Stored(sha256, info.description or "image/png", info.size or 0)

    async def delete(self, sha256: str) -> None:
        """Retention: the object goes (already gone is fine: a purge may run twice)."""
        try:
            await self.store.delete(sha256)
        except ObjectNotFoundError:
            pass

    async def get(self, sha256: str) -> bytes:
        try:
            result = await self.store.get(sha256)
        except ObjectNotFoundError:
            raise NotFound("the screenshot is not in the store", field="capture_id") from None
        return bytes(result.data or b"")


async def _bucket(js: JetStreamContext, replicas: int) -> ObjectStore:
    try:
        return await js.object_store(BUCKET)
    except BucketNotFoundError:
        return await js.create_object_store(BUCKET, ObjectStoreConfig(
            description="capture screenshots by SHA-256", storage=StorageType.FILE,
            replicas=replicas))
