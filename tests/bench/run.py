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
from tests.bench.captures import measure_alert_latency, measure_captures
from tests.bench.kit_pipeline import measure_kit, sample_envelope_size
from tests.bench.raw_nats import measure_raw
from tests.bench.roster import measure_roster


async def main(n: int, sync_always: bool) -> None:
    text_len = 400
    size = sample_envelope_size(text_len)
    with tempfile.TemporaryDirectory() as tmp:
        server = NatsServer(Path(tmp) / "nats", sync_always=sync_always)
        server.start()
        try:
            raw = await measure_raw(server.url, n=n, payload_size=size)
            kit = await measure_kit(server.url, Path(tmp) / "data", n=n, text_len=text_len)
            captures = await measure_captures(server.url, Path(tmp) / "captures", n=n // 4)
            raw_captures = await measure_raw(server.url, n=n // 4,
                                             payload_size=int(captures["capture_json_bytes"]))
            latency = await measure_alert_latency(server.url, Path(tmp) / "alerts")
            roster = await measure_roster(server.url, Path(tmp) / "roster", n=10_000)
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
    size_c = captures["capture_json_bytes"]
    print(f"\nCaptures ({n // 4}, {size_c:.0f} bytes each, batches of 1,000)")
    print(f"  triage, 5,000-phrase library   {captures['triage_5000_phrases']:>9,.0f} /s")
    print(f"  ingest, stored                 {captures['ingest_stored']:>9,.0f} /s")
    print(f"  ingest -> triaged -> in queue  {captures['ingest_to_queue']:>9,.0f} /s  (aim: 5,000)")
    cratio = captures["ingest_to_queue"] / raw_captures["publish_pipelined"]
    print(f"  ratio to raw pipelined publish {cratio:>9.2f}x")
    print(f"  urgent grade -> alert, p50     {latency['alert_p50_ms']:>9,.0f} ms")
    print(f"  urgent grade -> alert, p99     {latency['alert_p99_ms']:>9,.0f} ms  "
          "(aim: 250, with 1,000 captures/s flowing in)")
    print("\nMIS roster sync (10,000 people)")
    print(f"  created                        {roster['created']:>9,.0f} /s")
    print(f"  created and in the read model  {roster['created_and_projected']:>9,.0f} /s")
    print(f"  re-sync, nothing changed       {roster['unchanged']:>9,.0f} /s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=20000)
    parser.add_argument("--sync-always", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.sync_always))
