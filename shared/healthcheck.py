"""Health of one service process, for probes that cannot speak NATS request-reply (any
replica could answer those): the process writes a heartbeat file, the probe reads it.

`python -m shared.healthcheck [service]` is the readiness check: exit 0 when the heartbeat is
fresh, NATS is connected, the database answered, and (with `--max-lag N`) no consumer is more
than N messages behind; 1 otherwise, with the reason on stderr. `--live` is the liveness check:
only that the process still beats (a database outage makes a pod unready, not restarted).
Without a service name it checks every heartbeat in the folder (one per container).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from shared.settings import Settings

STALE_AFTER_S = 30.0


def heartbeat_file(settings: Settings, service: str) -> Path:
    return settings.health_dir_path / f"{service}.json"


def write_heartbeat(path: Path, *, nats: bool, database: bool,
                    lag: Mapping[str, int] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"at": time.time(), "nats": nats, "database": database,
                               "lag": dict(lag or {})}))
    tmp.replace(path)  # atomic: a probe never reads half a file


def problem(path: Path, now: float | None = None, *, live: bool = False,
            max_lag: int | None = None) -> str | None:
    """Why the process is not healthy (ready, or with `live` only alive), or None."""
    try:
        beat = json.loads(path.read_text())
    except (OSError, ValueError):
        return f"no heartbeat at {path}"
    age = (now or time.time()) - float(beat["at"])
    if age > STALE_AFTER_S:
        return f"heartbeat is {age:.0f}s old"
    if live:
        return None
    if not beat["nats"]:
        return "NATS is not connected"
    if not beat["database"]:
        return "the database is not reachable"
    behind = {name: n for name, n in beat.get("lag", {}).items()
              if max_lag is not None and n > max_lag}
    if behind:
        return "consumers behind: " + ", ".join(f"{k} by {v}" for k, v in sorted(behind.items()))
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.healthcheck")
    parser.add_argument("service", nargs="?", help="default: every heartbeat in the folder")
    parser.add_argument("--live", action="store_true", help="liveness: the process beats")
    parser.add_argument("--max-lag", type=int, default=None,
                        help="not ready while a consumer is more messages behind than this")
    args = parser.parse_args(argv)
    settings = Settings()
    paths = [heartbeat_file(settings, args.service)] if args.service else sorted(
        settings.health_dir_path.glob("*.json"))
    if not paths:
        print(f"no heartbeat in {settings.health_dir_path}", file=sys.stderr)
        return 1
    reasons = [f"{p.stem}: {r}" for p in paths
               if (r := problem(p, live=args.live, max_lag=args.max_lag))]
    if reasons:
        print("\n".join(reasons), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
