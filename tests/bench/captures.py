"""Capture throughput: ingest -> triaged -> visible in the moderation queue, and triage alone
against a library of 5,000 phrases; and the latency of an urgent grade reaching the school's
alert subscription while 1,000 captures/s flow in. Figures only; `make bench` prints them.

The service runs in this process on a real NATS and SQLite; batches of 1,000 captures go in
over its RPC (as the gateway sends them), a few batches in flight at once. "Visible in the
queue" is the projection's row count reaching n.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nats
from sqlalchemy import event, func, select

from services.capture.contracts import MAX_PHRASES_PER_REQUEST
from services.capture.domain.alert import alert_id_of
from services.capture.domain.events import Category, Grade, Phrase
from services.capture.domain.library import Library, SchoolKeywords
from services.capture.domain.triage import Matcher, effective, triage
from services.capture.handlers import build
from services.capture.projections import captures
from shared.claims import Claims, Role, Scope
from shared.rpc import RpcClient
from shared.service import Service
from shared.settings import Settings
from shared.streams import events_filter

LA, SCHOOL = "la-bench", "bench-school"
KEY = Claims(subject="bench-key", school_id=SCHOOL, la_id=LA, roles=frozenset({Role.INTEGRATOR}),
             scopes=frozenset({Scope.CAPTURES_WRITE}))
MOD = Claims(subject="bench-mod", school_id=LA, la_id=LA, roles=frozenset({Role.LA_MODERATOR}))
ADMIN = Claims(subject="bench-admin", school_id=LA, la_id=LA, roles=frozenset({Role.LA_ADMIN}))
WORDS = ("blue", "river", "quiet", "lamp", "orbit", "pencil", "maple", "stone", "cloud", "tiger",
         "violet", "harbour", "echo", "garden", "signal", "copper", "meadow", "rocket")


def library(size: int, rng: random.Random) -> list[dict[str, Any]]:
    cats = [c for c in Category if c is not Category.UNCLASSIFIED]
    phrases = {f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}" for i in range(size)}
    return [{"phrase": p, "category": rng.choice(cats).value, "severity": rng.randint(1, 5)}
            for p in sorted(phrases)]


def texts(n: int, phrases: list[dict[str, Any]], rng: random.Random) -> list[str]:
    """Sentences of ~40 words; half hold one library phrase."""
    out = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(40)]
        if i % 2 == 0:
            words.insert(rng.randrange(40), phrases[rng.randrange(len(phrases))]["phrase"])
        out.append(" ".join(words))
    return out


def capture(i: int, text: str, at: datetime) -> dict[str, Any]:
    return {"product": "BenchWatch", "product_capture_id": f"b-{i}", "machine": "PC-01",
            "captured_at": (at - timedelta(seconds=i)).isoformat(), "username": f"pupil{i % 300}",
            "trigger": text[:40], "excerpt": text, "url": "https://example.org/page"}


def measure_triage(n: int, phrases: list[dict[str, Any]], corpus: list[str]) -> float:
    lib = Library({p["phrase"]: Phrase(**p) for p in phrases})
    matcher = Matcher(effective(lib, SchoolKeywords({}, {})))
    t0 = time.perf_counter()
    for i in range(n):
        text = corpus[i % len(corpus)]
        triage("c", matcher, text[:40], text, None, None)
    return n / (time.perf_counter() - t0)


async def measure_captures(nats_url: str, data_dir: Path, n: int = 20000,
                           batch: int = 1000, in_flight: int = 4) -> dict[str, float]:
    rng = random.Random(7)
    phrases = library(5000, rng)
    corpus = texts(min(n, 5000), phrases, rng)
    at = datetime.now(UTC)
    items = [capture(i, corpus[i % len(corpus)], at) for i in range(n)]
    result = {"triage_5000_phrases": measure_triage(n, phrases, corpus),
              "capture_json_bytes": float(len(json.dumps(items[0])))}
    service = Service("capture", build, Settings(nats_url=nats_url, data_dir=data_dir))
    await service.start()
    nc = await nats.connect(nats_url)
    rpc = RpcClient(nc, timeout=120)
    try:
        for i in range(0, len(phrases), MAX_PHRASES_PER_REQUEST):
            await rpc.call("capture", "AddLibraryPhrases",
                           {"phrases": phrases[i:i + MAX_PHRASES_PER_REQUEST]}, ADMIN)
        gate = asyncio.Semaphore(in_flight)

        async def send(chunk: list[dict[str, Any]]) -> None:
            async with gate:
                await rpc.call("capture", "IngestCaptures",
                               {"school_id": SCHOOL, "captures": chunk}, KEY)

        pulls, writes = _pulls(service), _count_writes(service)
        t0 = time.perf_counter()
        await asyncio.gather(*(send(items[i:i + batch]) for i in range(0, n, batch)))
        stored = time.perf_counter() - t0
        while await _queued(service) < n:  # noqa: ASYNC110 - polling the table is the measurement
            await asyncio.sleep(0.05)
        total = time.perf_counter() - t0
        # What load does not distort: the work done per capture, whatever the machine's speed.
        result["pulls_per_capture"] = (_pulls(service) - pulls) / n
        result["writes_per_capture"] = writes[0] / n
    finally:
        await nc.close()
        await service.stop()
    return {**result, "ingest_stored": n / stored, "ingest_to_queue": n / total}


def _pulls(service: Service) -> int:
    """JetStream pull requests the service's consumers have sent so far."""
    return sum(r.pull_requests() for r in (*service.runners, service.strays))


def _count_writes(service: Service) -> list[int]:
    """A counter of the write transactions the service commits from now on."""
    count = [0]

    def on_commit(conn: Any) -> None:
        if conn.get_execution_options().get("esafety_write"):
            count[0] += 1

    event.listen(service.db.engine.sync_engine, "commit", on_commit)
    return count


async def _queued(service: Service) -> int:
    async with service.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(captures))).scalar_one())


async def measure_alert_latency(nats_url: str, data_dir: Path, urgent: int = 100,
                                rate: int = 1000) -> dict[str, float]:
    """An urgent grade -> AlertRaised on the school's subject (what the GraphQL subscription
    `alerts` listens to), one at a time, while `rate` captures/s are ingested meanwhile."""
    at = datetime.now(UTC)
    service = Service("capture", build, Settings(nats_url=nats_url, data_dir=data_dir))
    await service.start()
    nc = await nats.connect(nats_url)
    rpc = RpcClient(nc, timeout=60)
    arrived: dict[str, float] = {}

    async def on_alert(msg: Any) -> None:
        arrived[json.loads(msg.data)["payload"]["alert_id"]] = time.perf_counter()

    stop = asyncio.Event()

    async def background() -> None:
        sent = 0
        while not stop.is_set():
            t = time.perf_counter()
            chunk = [capture(2_000_000 + sent + k, "quiet river lamp", at)
                     for k in range(rate // 10)]
            sent += len(chunk)
            await rpc.call("capture", "IngestCaptures", {"school_id": SCHOOL, "captures": chunk},
                           KEY)
            await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - t)))

    latencies = []
    try:
        done = await rpc.call("capture", "IngestCaptures", {"school_id": SCHOOL, "captures": [
            capture(1_000_000 + i, "hurt myself", at) for i in range(urgent)]}, KEY)
        ids = [str(r["capture_id"]) for r in done["results"]]
        while await _queued(service) < urgent:  # noqa: ASYNC110 - claims answer from the queue
            await asyncio.sleep(0.05)
        sub = await nc.subscribe(events_filter("capture", SCHOOL, "AlertRaised"), cb=on_alert)
        load = asyncio.create_task(background())
        for cid in ids:
            ref = {"school_id": SCHOOL, "capture_id": cid}
            await rpc.call("capture", "ClaimCapture", ref, MOD)
            t0 = time.perf_counter()
            await rpc.call("capture", "GradeCapture",
                           {**ref, "grade": "urgent_child_protection", "notes": "bench"}, MOD)
            aid = alert_id_of(cid, Grade.URGENT_CHILD_PROTECTION)
            while aid not in arrived:  # noqa: ASYNC110 - the arrival time is the measurement
                await asyncio.sleep(0.001)
            latencies.append(arrived[aid] - t0)
        stop.set()
        await load
        await sub.unsubscribe()
    finally:
        stop.set()
        await nc.close()
        await service.stop()
    latencies.sort()
    return {"alert_p50_ms": 1000 * latencies[len(latencies) // 2],
            "alert_p99_ms": 1000 * latencies[min(len(latencies) - 1,
                                                 int(0.99 * len(latencies)))]}
