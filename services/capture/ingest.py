"""Batch ingest from monitoring products: each item validated on its own (a precise reason
for each bad one), screenshots stored by hash, new captures triaged and appended in one
transaction; a capture already received is reported as a duplicate and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from services.capture.contracts import CaptureIn, IngestCaptures, IngestResult, ItemResult
from services.capture.domain.capture import Capture, Receive, capture, capture_id_of
from services.capture.domain.events import CaptureReceived
from services.capture.domain.triage import Matcher, triage
from services.capture.keywords import Keywords
from services.capture.screenshots import Image, ScreenshotStore, Stored, decode_image
from shared.claims import Claims
from shared.errors import ConcurrencyError, InvalidInput
from shared.events import Metadata
from shared.eventstore import NewEvents
from shared.service import Kit

# Machines' clocks drift: a capture a little ahead of ours is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Parsed:
    index: int
    item: CaptureIn
    capture_id: str
    image: Image | None  # sent inline: to be stored
    shot: Stored | None = None  # in the store (stored now, or sent by reference)


def parse(index: int, raw: dict[str, Any], school_id: str, now: datetime) -> Parsed:
    try:
        item = CaptureIn.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        where = ".".join(str(p) for p in errors[0]["loc"]) or None
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        raise InvalidInput(reasons, field=where) from None
    if item.captured_at > now + CLOCK_SKEW:
        raise InvalidInput(f"captured_at {item.captured_at.isoformat()} is in the future",
                           field="captured_at")
    image = decode_image(item.screenshot) if item.screenshot else None
    return Parsed(index, item, capture_id_of(school_id, item.product, item.product_capture_id),
                  image)


def received(p: Parsed, school_id: str, la_id: str) -> CaptureReceived:
    data = p.item.model_dump(exclude={"screenshot", "screenshot_sha256"})
    shot = p.shot
    return CaptureReceived(
        **data, capture_id=p.capture_id, school_id=school_id, la_id=la_id,
        screenshot_sha256=shot.sha256 if shot else None,
        screenshot_type=shot.content_type if shot else None,
        screenshot_bytes=shot.size if shot else None)


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
        """Append the captures not yet stored; returns their ids. A concurrent re-send of the
        same captures loses the race on the unique stream version: look again and retry."""
        meta = Metadata(school_id=school_id, occurred_at=now)
        for _ in range(3):
            found = await self.kit.store.versions([(capture.aggregate_type, c) for c in good])
            known = {cid for (_, cid), version in found.items() if version}
            batches = []
            for cid, p in good.items():
                if cid in known:
                    continue
                i = p.item
                events = capture.decide(Receive(
                    received(p, school_id, la_id),
                    triage(cid, matcher, i.trigger, i.excerpt, i.product_category,
                           i.product_severity)), Capture())
                batches.append(NewEvents(capture.aggregate_type, cid, 0, events, meta))
            if not batches:
                return set()
            try:
                await self.kit.store.append(*batches)
            except ConcurrencyError:
                continue
            return {b.aggregate_id for b in batches}
        raise ConcurrencyError("capture batch", 0)


def _result(p: Parsed, status: str) -> ItemResult:
    return ItemResult.model_validate({"index": p.index, "status": status,
                                      "product_capture_id": p.item.product_capture_id,
                                      "capture_id": p.capture_id})


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
