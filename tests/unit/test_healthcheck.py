"""The exec probe's verdict from a service's heartbeat file."""

from __future__ import annotations

import time
from pathlib import Path

from shared.healthcheck import problem, write_heartbeat


def test_fresh_and_connected_is_healthy(tmp_path: Path) -> None:
    write_heartbeat(tmp_path / "d.json", nats=True, database=True)
    assert problem(tmp_path / "d.json") is None


def test_missing_stale_or_disconnected_is_not(tmp_path: Path) -> None:
    beat = tmp_path / "d.json"
    assert problem(beat) == f"no heartbeat at {beat}"
    write_heartbeat(beat, nats=True, database=True)
    assert "old" in (problem(beat, now=time.time() + 60) or "")
    write_heartbeat(beat, nats=False, database=True)
    assert problem(beat) == "NATS is not connected"
    write_heartbeat(beat, nats=True, database=False)
    assert problem(beat) == "the database is not reachable"
