"""Ingest through the gateway. NATS carries at most 1 MB a message, while one batch may hold
1,000 captures with 2 MB screenshots each: the gateway checks and stores each screenshot in
the capture service's store by hash (content-addressed, so nothing is trusted but the
bytes), then sends the batch by reference, in chunks under the message limit."""

from __future__ import annotations

import json
from typing import Any

from services.capture.contracts import SERVICE, ItemResult
from services.capture.ingest import parse
from services.capture.screenshots import Bucket, bucket_on
from services.gateway.context import Context
from shared.claims import Scope
from shared.errors import InvalidInput
from shared.events import now

CHUNK_BYTES = 600_000  # of capture JSON per request, well under NATS's 1 MB


async def ingest(ctx: Context, school_id: str, items: list[Any]) -> dict[str, Any]:
    # Fast deny before storing anything; the service decides again.
    ctx.caller.require_scope(school_id, Scope.CAPTURES_WRITE)
    results: dict[int, dict[str, Any]] = {}
    forward: list[tuple[int, dict[str, Any]]] = []
    bucket: Bucket | None = None
    for i, item in enumerate(items):
        if not isinstance(item, dict):  # plain HTTP bodies are not typed by a schema
            results[i] = ItemResult(index=i, status="rejected", reason="a capture is a JSON "
                                    "object of fields").model_dump()
            continue
        shot = item.pop("screenshot", None)
        try:
            if shot is not None and not isinstance(shot, str):
                raise InvalidInput("screenshot is base64 text", field="screenshot")
            if shot:
                # The whole capture checked as the service will, before its screenshot is
                # stored: a rejected capture must leave nothing behind.
                image = parse(i, {**item, "screenshot": shot}, school_id, now()).image
                assert image is not None
                bucket = bucket or await bucket_on(ctx.rpc.nc)
                await bucket.put(image)
                item["screenshot_sha256"] = image.sha256
            if len(json.dumps(item, default=str)) > CHUNK_BYTES:
                raise InvalidInput("the capture is too large", field="excerpt")
        except InvalidInput as exc:
            results[i] = ItemResult(index=i, status="rejected", reason=exc.message,
                                    field=exc.field,
                                    product_capture_id=_str(item.get("product_capture_id"))
                                    ).model_dump()
            continue
        forward.append((i, item))
    for chunk in _chunks(forward):
        done = await ctx.call(SERVICE, "IngestCaptures",
                              {"school_id": school_id, "captures": [it for _, it in chunk]})
        for r in done["results"]:
            r["index"] = chunk[r["index"]][0]
            results[r["index"]] = r
    ordered = [results[i] for i in sorted(results)]
    return {"accepted": sum(r["status"] == "accepted" for r in ordered),
            "duplicates": sum(r["status"] == "duplicate" for r in ordered),
            "rejected": sum(r["status"] == "rejected" for r in ordered), "results": ordered}


def _chunks(items: list[tuple[int, dict[str, Any]]]) -> list[list[tuple[int, dict[str, Any]]]]:
    chunks: list[list[tuple[int, dict[str, Any]]]] = [[]]
    size = 0
    for entry in items:
        n = len(json.dumps(entry[1], default=str))
        if chunks[-1] and size + n > CHUNK_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(entry)
        size += n
    return [c for c in chunks if c]


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
