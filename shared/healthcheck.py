"""Liveness of one service process, for probes that cannot speak NATS request-reply (any
replica could answer those): the process writes a heartbeat file, the probe reads it.

`python -m shared.healthcheck <service>` exits 0 when the heartbeat is fresh and reports NATS
connected and the database reachable, 1 otherwise (with the reason on stderr).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from shared.settings import Settings

STALE_AFTER_S = 30.0


def heartbeat_file(settings: Settings, service: str) -> Path:
    return settings.health_dir_path / f"{service}.json"


def write_heartbeat(path: Path, *, nats: bool, database: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"at": time.time(), "nats": nats, "database": database}))
    tmp.replace(path)  # atomic: a probe never reads half a file


def problem(path: Path, now: float | None = None) -> str | None:
    """Why the process is not healthy, or None."""
    try:
        beat = json.loads(path.read_text())
    except (OSError, ValueError):
        return f"no heartbeat at {path}"
    age = (now or time.time()) - float(beat["at"])
    if age > STALE_AFTER_S:
        return f"heartbeat is {age:.0f}s old"
    if not beat["nats"]:
        return "NATS is not connected"
    if not beat["database"]:
        return "the database is not reachable"
    return None


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: python -m shared.healthcheck <service>", file=sys.stderr)
        return 2
    reason = problem(heartbeat_file(Settings(), sys.argv[1]))
    if reason:
        print(reason, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
