"""`make bench`: raw JetStream rates on this machine next to the kit's end-to-end rate.

Figures only; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shared.natsserver import NatsServer
from tests.bench.kit_pipeline import measure_kit, sample_envelope_size
from tests.bench.raw_nats import measure_raw


async def main(n: int, sync_always: bool) -> None:
    text_len = 400
    size = sample_envelope_size(text_len)
    with tempfile.TemporaryDirectory() as tmp:
        server = NatsServer(Path(tmp) / "nats", sync_always=sync_always)
        server.start()
        try:
            raw = await measure_raw(server.url, n=n, payload_size=size)
            kit = await measure_kit(server.url, Path(tmp) / "data", n=n, text_len=text_len)
        finally:
            server.stop()
    mode = "sync_interval: always" if sync_always else "default sync"
    print(f"\nJetStream on this machine ({mode}), {n} messages of {size} bytes")
    print(f"  raw publish, one at a time     {raw['publish_sequential']:>9,.0f} /s")
    print(f"  raw publish, pipelined (500)   {raw['publish_pipelined']:>9,.0f} /s")
    print(f"  raw pull consume + ack         {raw['consume_pull']:>9,.0f} /s")
    print(f"  kit append (500 per txn)       {kit['append']:>9,.0f} /s")
    print(f"  kit append->publish->project   {kit['append_publish_project']:>9,.0f} /s")
    ratio = kit["append_publish_project"] / raw["publish_pipelined"]
    print(f"  ratio kit / raw pipelined      {ratio:>9.2f}x  (aim: >= 0.25x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=20000)
    parser.add_argument("--sync-always", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.sync_always))
