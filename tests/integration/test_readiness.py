"""Readiness follows the database: a service whose PostgreSQL becomes unreachable turns
unready (the Kubernetes readiness probe's command exits 1 and says why) while it stays alive
(liveness), and turns ready again when the database is back."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from shared.healthcheck import heartbeat_file, problem
from shared.natsserver import NatsServer
from shared.settings import Settings
from tests.support import tally
from tests.support.inprocess import running, settings_for
from tests.support.procs import eventually
from tests.support.tcpproxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]


def probe(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The probe exactly as Kubernetes runs it."""
    return subprocess.run([sys.executable, "-m", "shared.healthcheck", "tally", *args],
                          env={**os.environ, "ESAFETY_DATA_DIR": str(data_dir)}, cwd=ROOT,
                          capture_output=True, text=True, check=False)


async def test_unready_while_the_database_is_unreachable(
        postgres_url: str, fresh_nats: NatsServer, tmp_path: Path) -> None:
    url = make_url(postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    via_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        await _follow(proxy, settings_for(fresh_nats.url, tmp_path, via_proxy), tmp_path)
    finally:
        await proxy.cut()


async def _follow(proxy: TcpProxy, settings: Settings, tmp_path: Path) -> None:
    beat = heartbeat_file(settings, "tally")

    async def verdict() -> str | None:
        return problem(beat) or "ready"

    async with running("tally", tally.build, settings):
        await eventually(verdict, lambda v: v == "ready")
        assert (await asyncio.to_thread(probe, tmp_path)).returncode == 0

        await proxy.cut()
        await eventually(verdict, lambda v: v == "the database is not reachable")
        unready = await asyncio.to_thread(probe, tmp_path)
        assert (unready.returncode, unready.stderr.strip()) == (
            1, "tally: the database is not reachable")
        assert (await asyncio.to_thread(probe, tmp_path, "--live")).returncode == 0

        await proxy.start()
        await eventually(verdict, lambda v: v == "ready")
        assert (await asyncio.to_thread(probe, tmp_path)).returncode == 0
