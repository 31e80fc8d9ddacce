"""`python -m tests.chaos`: the fault proof (`make chaos` runs the big one).

Exit code 1 when an event was lost or applied twice, or a read model differs from a replay.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path

from services import SERVICES
from tests.chaos.run import Options, run


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__)
    parser.add_argument("--items", type=int, default=100_000,
                        help="entry-point items to send (captures, gradings, ...)")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs per service, at least")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--services", nargs="*", default=list(SERVICES))
    parser.add_argument("--keep", type=Path, help="keep the data here (default: a temp dir)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # A kill every 5-20 s until the load is done: each service about every minute or two
    # (a cold start on a loaded 2-core machine alone takes 10-40 s).
    options = Options(items=args.items, services=tuple(args.services),
                      kills_per_service=args.kills, keep_killing=True, pause=(5.0, 20.0),
                      seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="chaos-") as tmp:
        report = asyncio.run(run(args.keep or Path(tmp), options))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
