"""The short fault proof in `make test` (`make chaos` runs the big one): a few thousand items
through the entry points of four services while each is SIGKILLed once and the broker once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.run import Options, run

ITEMS = 1500  # about 3,000 events stored


@pytest.mark.timeout(900)  # ~90 s on a quiet 2-core machine; several times that on a busy one
async def test_nothing_lost_nothing_twice_read_models_equal_a_replay(tmp_path: Path) -> None:
    report = await run(tmp_path, Options(items=ITEMS, kills_per_service=1, pause=(1.0, 3.0)))
    text = "\n".join(report.lines())
    print(text)
    assert sum(report.faults.kills.values()) == len(report.options.services), text
    assert report.faults.nats_restarts == 1, text
    assert report.sent.total >= ITEMS * 0.95 and not report.sent.rejected, text
    assert report.verdict.lost == 0 and not report.verdict.twice, text
    assert not report.verdict.sums_differ, text
    assert all(p.sums_equal is not None for p in report.verdict.projections
               if p.name in ("capture-queue", "incident-log", "agreement-register",
                             "directory-view")), text
