"""A process's NATS user goes into every server URL, and never into logs."""

from __future__ import annotations

import pytest

from shared.settings import Settings


def test_credentials_join_every_server_url() -> None:
    s = Settings(nats_url="nats://a:4222,nats://b:4222", nats_user="capture",
                 nats_password="s3cr3t")
    assert s.nats_url == "nats://capture:s3cr3t@a:4222,nats://capture:s3cr3t@b:4222"
    assert "s3cr3t" not in s.nats_url_redacted()
    assert Settings(nats_url="nats://a:4222").nats_url == "nats://a:4222"  # make run: none


def test_a_password_that_would_break_the_url_is_refused() -> None:
    with pytest.raises(ValueError, match="URL-safe"):
        Settings(nats_url="nats://a:4222", nats_user="capture", nats_password="p@ss/word")
