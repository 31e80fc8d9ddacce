"""Batch ingest from monitoring products: each item validated on its own (a precise reason
for each bad one), screenshots stored by hash, new captures triaged and appended in one
transaction; a capture already received is reported as a duplicate and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.capture.contracts import CaptureIn, IngestCaptures, IngestResult, ItemResult
from services.capture.domain.capture import Capture, Receive, capture, capture_id_of
from services.capture.domain.events import TEXT_FIELDS, CaptureReceived
from services.capture.domain.triage import Matcher, triage
from services.capture.keywords import Keywords
from services.capture.screenshots import Image, ScreenshotStore, Stored, decode_image
from shared import content
from shared.batch import append_new, validated
from shared.claims import Claims
from shared.content import Erasable, new_ref
from shared.errors import InvalidInput
from shared.events import Clock, Metadata
from shared.service import Kit

# Machines' clocks drift: a capture a little ahead of ours is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Parsed:
    index: int
    item: CaptureIn
    capture_id: str
    image: Image | None  # sent inline: to be stored
    shot: Stored | None = None  # in the store (stored now, or sent by reference)


def parse(index: int, raw: dict[str, Any], school_id: str, now: datetime) -> Parsed:
    item = validated(CaptureIn, raw)
    if item.captured_at > now + CLOCK_SKEW:
        raise InvalidInput(f"captured_at {item.captured_at.isoformat()} is in the future",
                           field="captured_at")
    image = decode_image(item.screenshot) if item.screenshot else None
    return Parsed(index, item, capture_id_of(school_id, item.product, item.product_capture_id),
                  image)


def received(p: Parsed, school_id: str, la_id: str) -> tuple[CaptureReceived, Erasable | None]:
    """The event, and the text it refers to (kept outside it, erasable)."""
    data = p.item.model_dump(exclude={"screenshot", "screenshot_sha256", *TEXT_FIELDS})
    text = {f: getattr(p.item, f) for f in TEXT_FIELDS if getattr(p.item, f)}
    kept = Erasable(new_ref(), school_id, capture.aggregate_type, p.capture_id, text) \
        if text else None
    shot = p.shot
    return CaptureReceived(
        **data, capture_id=p.capture_id, school_id=school_id, la_id=la_id,
        content_ref=kept.ref if kept else None,
        screenshot_sha256=shot.sha256 if shot else None,
        screenshot_type=shot.content_type if shot else None,
        screenshot_bytes=shot.size if shot else None), kept


@dataclass
class Ingestor:
    kit: Kit
    keywords: Keywords
    screenshots: ScreenshotStore
    clock: Clock

    async def ingest(self, cmd: IngestCaptures, caller: Claims) -> IngestResult:
        now = self.clock()
        results: dict[int, ItemResult] = {}
        good: dict[str, Parsed] = {}
        for i, raw in enumerate(cmd.captures):
            try:
                p = parse(i, raw, cmd.school_id, now)
            except InvalidInput as exc:
                results[i] = ItemResult(index=i, status="rejected", reason=exc.message,
                                        field=exc.field,
                                        product_capture_id=_str(raw.get("product_capture_id")))
                continue
            if p.capture_id in good:  # the same capture twice in one batch
                results[i] = _result(p, "duplicate")
            else:
                good[p.capture_id] = p
        for cid, problem in (await self._store_screenshots(good)).items():
            p = good.pop(cid)
            results[p.index] = ItemResult(index=p.index, status="rejected", reason=problem,
                                          field="screenshot_sha256", capture_id=cid,
                                          product_capture_id=p.item.product_capture_id)
        matcher = await self.keywords.matcher(caller.la_id, cmd.school_id)
        fresh = await self._append(good, cmd.school_id, caller.la_id, matcher, now)
        for cid, p in good.items():
            results[p.index] = _result(p, "accepted" if cid in fresh else "duplicate")
        ordered = [results[i] for i in sorted(results)]
        return IngestResult(
            accepted=sum(r.status == "accepted" for r in ordered),
            duplicates=sum(r.status == "duplicate" for r in ordered),
            rejected=sum(r.status == "rejected" for r in ordered), results=ordered)

    async def _store_screenshots(self, good: dict[str, Parsed]) -> dict[str, str]:
        """Put inline images in the store, look up referenced ones; fills each item's `shot`.
        Returns the items whose reference is not in the store, with the reason."""
        if not any(p.image or p.item.screenshot_sha256 for p in good.values()):
            return {}
        missing: dict[str, str] = {}
        async with self.screenshots.session() as bucket:
            for cid, p in good.items():
                if p.image is not None:
                    await bucket.put(p.image)
                    good[cid] = replace(p, shot=p.image.stored)
                elif p.item.screenshot_sha256:
                    found = await bucket.find(p.item.screenshot_sha256)
                    if found is None:
                        missing[cid] = "screenshot_sha256 is not in the screenshot store"
                    good[cid] = replace(p, shot=found)
        return missing

    async def _append(self, good: dict[str, Parsed], school_id: str, la_id: str,
                      matcher: Matcher, now: datetime) -> set[str]:
        """Append the captures not yet stored, with their erasable text; returns their ids."""
        fresh, kept = {}, {}
        for cid, p in good.items():
            event, text = received(p, school_id, la_id)
            if text:
                kept[cid] = text
            fresh[cid] = capture.decide(Receive(event, triage(
                cid, matcher, p.item.trigger, p.item.excerpt, p.item.product_category,
                p.item.product_severity)), Capture())

        async def keep_text(conn: AsyncConnection, started: set[str]) -> None:
            await content.keep_in(conn, (kept[c] for c in started if c in kept))

        return await append_new(self.kit.store, capture.aggregate_type, fresh,
                                Metadata(school_id=school_id, occurred_at=now), keep_text)


def _result(p: Parsed, status: str) -> ItemResult:
    return ItemResult.model_validate({"index": p.index, "status": status,
                                      "product_capture_id": p.item.product_capture_id,
                                      "capture_id": p.capture_id})


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
