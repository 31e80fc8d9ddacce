"""`make fuzz`: the whole platform on a fresh data folder, ~10,000 generated requests, and a
summary: cases per operation, rejections by error code, server errors (must be 0), events
written by rejected requests (must be 0), unhandled failures in the logs (must be 0).

    python -m tests.fuzz.run [--cases N] [--seed N] [--keep]

The seed makes a run reproducible; by default a fresh one, printed first."""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tests.fuzz.campaign import run_campaign
from tests.fuzz.live import running_platform


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_500)
    parser.add_argument("--seed", type=int, default=random.randrange(1_000_000))
    parser.add_argument("--keep", action="store_true", help="keep the data folder (logs)")
    args = parser.parse_args()
    print(f"fuzz: seed {args.seed}, about {args.cases} cases; starting the platform", flush=True)
    data = Path(tempfile.mkdtemp(prefix="esafety-fuzz-"))
    began = time.monotonic()
    with running_platform(data) as platform:
        print(f"platform ready in {time.monotonic() - began:.0f}s", flush=True)
        outcome = run_campaign(platform, args.cases, args.seed, progress=True)
    print(outcome.summary())
    print(f"seed {args.seed}; {time.monotonic() - began:.0f}s; data in {data}"
          + ("" if args.keep else " (deleted)"))
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)
    return 0 if outcome.clean and outcome.tally.total >= min(args.cases, 10_000) else 1


if __name__ == "__main__":
    sys.exit(main())
