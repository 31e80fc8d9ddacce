"""Raw JetStream throughput with nats-py, the ceiling our event bus can reach.

A benchmark, not a test: it reports figures and asserts nothing about time.
Run: ``.venv/bin/python tests/bench/raw_nats.py [-n 20000] [--sync-always]``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import nats
from nats.js.api import StorageType

from shared.natsserver import NatsServer

# 761 bytes is the size of a typical serialised domain event envelope.
DEFAULT_PAYLOAD_SIZE = 761


async def measure_raw(
    url: str, n: int = 20000, payload_size: int = DEFAULT_PAYLOAD_SIZE, concurrency: int = 500
) -> dict[str, float]:
    """Msgs/s for sequential publish, pipelined publish and pull consumption."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    stream = f"BENCH_{uuid.uuid4().hex[:12]}"
    subject = f"{stream}.evt"
    payload = b"x" * payload_size
    await js.add_stream(name=stream, subjects=[f"{stream}.>"], storage=StorageType.FILE)
    try:
        # Sequential: one publish in flight, so this is round-trip (and fsync) bound.
        seq_n = max(1, n // 10)
        t0 = time.perf_counter()
        for _ in range(seq_n):
            await js.publish(subject, payload)
        sequential = seq_n / (time.perf_counter() - t0)

        # Pipelined: windows of `concurrency` publishes awaited together.
        t0 = time.perf_counter()
        for start in range(0, n, concurrency):
            window = min(concurrency, n - start)
            await asyncio.gather(*(js.publish(subject, payload) for _ in range(window)))
        pipelined = n / (time.perf_counter() - t0)

        # Pull consume everything just written, acking each message.
        total = seq_n + n
        sub = await js.pull_subscribe(subject, durable=f"{stream}_c", stream=stream)
        got = 0
        t0 = time.perf_counter()
        while got < total:
            for msg in await sub.fetch(500, timeout=10):
                await msg.ack()
                got += 1
        consumed = got / (time.perf_counter() - t0)
        await sub.unsubscribe()
    finally:
        await js.delete_stream(stream)
        await nc.close()
    return {
        "publish_sequential": sequential,
        "publish_pipelined": pipelined,
        "consume_pull": consumed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=20000, help="messages for the pipelined run")
    parser.add_argument("--payload-size", type=int, default=DEFAULT_PAYLOAD_SIZE)
    parser.add_argument("--concurrency", type=int, default=500)
    parser.add_argument("--sync-always", action="store_true", help="fsync before every ack")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="raw-nats-") as tmp,
        NatsServer(store_dir=Path(tmp), sync_always=args.sync_always) as server,
    ):
        figures = asyncio.run(measure_raw(server.url, args.n, args.payload_size, args.concurrency))
    mode = "sync_interval=always" if args.sync_always else "default sync"
    print(f"raw JetStream, n={args.n}, payload={args.payload_size}B, {mode}")
    for name, rate in figures.items():
        print(f"  {name:<20} {rate:>10,.0f} msgs/s")


if __name__ == "__main__":
    main()
