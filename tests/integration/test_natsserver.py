"""The embedded nats-server: loopback only, JetStream on, durable across SIGKILL."""

from __future__ import annotations

import socket
import uuid

import nats
import pytest
from nats.js.api import StorageType

from shared.natsserver import NatsServer


def _non_loopback_ip() -> str | None:
    # A UDP "connect" sends nothing; it only makes the kernel choose an outbound address.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))
            ip = str(sock.getsockname()[0])
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


def test_listens_on_loopback_only(nats_server: NatsServer) -> None:
    assert nats_server.url == f"nats://127.0.0.1:{nats_server.port}"
    with socket.create_connection(("127.0.0.1", nats_server.port), timeout=2) as sock:
        assert sock.recv(4096).startswith(b"INFO ")
    ip = _non_loopback_ip()
    if ip is None:
        pytest.skip("no non-loopback interface to probe")
    with pytest.raises(OSError):
        socket.create_connection((ip, nats_server.port), timeout=2).close()


async def test_jetstream_enabled(nats_url: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().account_info()
        assert info.limits is not None
    finally:
        await nc.close()


async def test_kill_and_restart_keeps_messages(fresh_nats: NatsServer) -> None:
    stream = f"DURABLE_{uuid.uuid4().hex[:8]}"
    port = fresh_nats.port
    nc = await nats.connect(fresh_nats.url)
    try:
        js = nc.jetstream()
        await js.add_stream(name=stream, subjects=[f"{stream}.>"], storage=StorageType.FILE)
        for i in range(10):
            await js.publish(f"{stream}.m", f"msg {i}".encode())
    finally:
        await nc.close()

    fresh_nats.kill()
    assert not fresh_nats.is_running()
    fresh_nats.restart()
    assert fresh_nats.is_running()
    assert fresh_nats.port == port

    nc = await nats.connect(fresh_nats.url)
    try:
        info = await nc.jetstream().stream_info(stream)
        assert info.state.messages == 10
    finally:
        await nc.close()
