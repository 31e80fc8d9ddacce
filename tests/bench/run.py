"""`make bench`: one table of the platform's figures against the targets of issues 4 and 9,
with raw nats-py on the same server in the same run as the baseline.

Figures only; nothing here is a pass/fail test. Wall-clock figures depend on what else the
machine runs; the "per capture" rows count work done and do not.
`--captures 1000000 --schools 400` is the issues' scale for the data set (slow: hours here).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shared.natsserver import NatsServer
from tests.bench.captures import measure_alert_latency, measure_captures
from tests.bench.dataset import publish
from tests.bench.kit_pipeline import measure_kit, sample_envelope_size
from tests.bench.platform import QUERIES, measure_platform
from tests.bench.raw_nats import measure_raw
from tests.bench.reporting import measure_rebuild
from tests.bench.roster import measure_roster

Row = tuple[str, str, str, str]  # figure, value, target, met?


def at_least(value: float, aim: float) -> str:
    return "yes" if value >= aim else "NO"


def at_most(value: float, aim: float) -> str:
    return "yes" if value <= aim else "NO"


async def measure(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    size = sample_envelope_size(400)
    with tempfile.TemporaryDirectory() as tmp, \
            NatsServer(Path(tmp) / "nats", sync_always=args.sync_always) as server:
        url, data = server.url, Path(tmp)
        raw = await measure_raw(url, n=args.n, payload_size=size)
        kit = await measure_kit(url, data / "kit", n=args.n, text_len=400)
        cap = await measure_captures(url, data / "captures", n=args.ingest)
        raw_cap = await measure_raw(url, n=args.ingest,
                                    payload_size=int(cap["capture_json_bytes"]))
        alert = await measure_alert_latency(url, data / "alerts")
        roster = await measure_roster(url, data / "roster", n=10_000)
    # The data set on a server of its own: the services below read every stream from the start.
    with tempfile.TemporaryDirectory() as tmp, NatsServer(Path(tmp) / "nats") as server:
        url, data = server.url, Path(tmp)
        events = await publish(url, args.schools, args.captures)
        rebuilt = await measure_rebuild(url, data / "rebuild")
        platform = await measure_platform(url, data / "platform", args.schools)

    ingest, raw_pub = cap["ingest_to_queue"], raw_cap["publish_pipelined"]
    rows += [
        (f"ingest -> triaged -> in queue ({args.ingest:,} captures)", f"{ingest:,.0f}/s",
         ">= 5,000/s", at_least(ingest, 5000)),
        ("  raw nats-py pipelined publish, same payloads", f"{raw_pub:,.0f}/s", "", ""),
        ("  ratio ingest / raw", f"{ingest / raw_pub:.3f}x", "", ""),
        ("  ingest, stored (RPC answered)", f"{cap['ingest_stored']:,.0f}/s", "", ""),
        ("  JetStream pull requests per capture", f"{cap['pulls_per_capture']:.3f}", "", ""),
        ("  DB write transactions per capture", f"{cap['writes_per_capture']:.3f}", "", ""),
        ("triage, 5,000-phrase library", f"{cap['triage_5000_phrases']:,.0f}/s", "", ""),
        ("urgent grade -> alert on subscription, p50", f"{alert['alert_p50_ms']:,.0f} ms",
         "", ""),
        ("urgent grade -> alert, p99 (1,000 captures/s in)", f"{alert['alert_p99_ms']:,.0f} ms",
         "<= 250 ms", at_most(alert["alert_p99_ms"], 250)),
        (f"rebuild, reporting facts ({rebuilt['events']:,.0f} events)",
         f"{rebuilt['rebuild']:,.0f}/s", ">= 20,000/s", at_least(rebuilt["rebuild"], 20_000)),
    ]
    for label in QUERIES:
        p50, p95 = platform[f"{label} p50"], platform[f"{label} p95"]
        rows.append((f"GraphQL {label}, p50 / p95", f"{p50:,.1f} / {p95:,.1f} ms",
                     "p95 <= 30 ms", at_most(p95, 30)))
    for key, mb in platform.items():
        if key.startswith("rss "):
            rows.append((f"peak RSS, {key[4:]}", f"{mb:,.0f} MB", "<= 250 MB", at_most(mb, 250)))
    kit_rate = kit["append_publish_project"]
    rows += [
        (f"kit append -> publish -> project ({args.n:,} x {size} B)", f"{kit_rate:,.0f}/s",
         "", ""),
        ("  ratio kit / raw pipelined publish", f"{kit_rate / raw['publish_pipelined']:.2f}x",
         ">= 0.25x", at_least(kit_rate / raw["publish_pipelined"], 0.25)),
        ("MIS roster sync, created and projected (10,000)",
         f"{roster['created_and_projected']:,.0f}/s", "", ""),
    ]
    sync = "sync_interval: always" if args.sync_always else "default sync"
    print(f"\nData set: {args.captures:,} captures across {args.schools} schools, "
          f"{events:,} events; JetStream with {sync}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores at the end")
    return rows


def table(rows: list[Row]) -> str:
    """A Markdown table: readable in a terminal, and the README carries it as it is."""
    head: Row = ("figure", "value", "target", "met?")
    widths = [max(len(r[i]) for r in (head, *rows)) for i in range(4)]

    def line(cells: Row) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), rule, *map(line, rows)])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=20000, help="messages for the raw and kit rates")
    parser.add_argument("--ingest", type=int, default=5000, help="captures for the ingest rate")
    parser.add_argument("--captures", type=int, default=20_000, help="captures in the data set")
    parser.add_argument("--schools", type=int, default=40, help="schools in the data set")
    parser.add_argument("--sync-always", action="store_true")
    args = parser.parse_args()
    print(table(asyncio.run(measure(args))))
