"""The exec probe's verdict from a service's heartbeat file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from shared.healthcheck import main, problem, write_heartbeat


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


def test_liveness_asks_only_that_the_process_beats(tmp_path: Path) -> None:
    beat = tmp_path / "d.json"
    write_heartbeat(beat, nats=False, database=False)
    assert problem(beat, live=True) is None  # a database outage is no reason to restart
    assert "old" in (problem(beat, now=time.time() + 60, live=True) or "")


def test_a_consumer_too_far_behind_is_not_ready_when_a_limit_is_set(tmp_path: Path) -> None:
    beat = tmp_path / "d.json"
    write_heartbeat(beat, nats=True, database=True, lag={"view": 5000, "other": 3})
    assert problem(beat) is None
    assert problem(beat, max_lag=10_000) is None
    assert problem(beat, max_lag=100) == "consumers behind: view by 5000"


def test_without_a_service_every_heartbeat_in_the_folder_counts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESAFETY_HEALTH_DIR", str(tmp_path))
    assert main([]) == 1  # none at all
    write_heartbeat(tmp_path / "capture.json", nats=True, database=True)
    assert main([]) == 0
    write_heartbeat(tmp_path / "incident.json", nats=True, database=False)
    assert main([]) == 1
    assert main(["capture"]) == 0
    assert main(["--live"]) == 0
