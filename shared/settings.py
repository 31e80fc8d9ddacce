"""Settings for every process, read from the environment (pydantic-settings)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESAFETY_", extra="ignore",
                                      populate_by_name=True)

    nats_url: str = Field(
        default="nats://127.0.0.1:4333",
        validation_alias=AliasChoices("NATS_URL", "ESAFETY_NATS_URL"),
    )
    # This process's NATS user (deploy/: one per service, least privilege, shared/natsauth.py);
    # empty = no authentication, as `make run`'s own server on loopback.
    nats_user: str = ""
    nats_password: str = ""
    data_dir: Path = Path(".data")
    # A template such as postgresql+asyncpg://host/esafety_{service}; empty = SQLite files.
    database_url: str = Field(
        default="", validation_alias=AliasChoices("DATABASE_URL", "ESAFETY_DATABASE_URL")
    )
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_endpoint: str = "http://127.0.0.1:4318"
    # text: one readable line per record; json: one object per line (log collectors). Both
    # carry the trace id.
    log_format: Literal["text", "json"] = "text"
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    # Signing key for gateway tokens; when empty the gateway keeps a random one in the data folder.
    jwt_secret: str = ""
    token_ttl_minutes: int = 480
    rpc_timeout: float = 10.0
    # JetStream stream replicas: 1 on one server, 3 on a cluster.
    stream_replicas: int = 1
    # Where each process writes its heartbeat for `python -m shared.healthcheck` (default:
    # <data_dir>/health); a writable path such as /tmp on a read-only container.
    health_dir: Path | None = None
    # How long JetStream waits for a consumer's ack before redelivering (after a crash).
    ack_wait_seconds: float = 15.0

    @model_validator(mode="after")
    def _nats_credentials(self) -> Settings:
        """Put the user into every server URL (nats-py reads `nats://user:password@host`)."""
        if self.nats_user:
            if any(c in self.nats_user + self.nats_password for c in ":@/ "):
                raise ValueError("NATS user and password must be URL-safe (no : @ / or space)")
            userinfo = f"{self.nats_user}:{self.nats_password}@"
            self.nats_url = ",".join(
                url if "@" in url else url.replace("://", f"://{userinfo}", 1)
                for url in self.nats_url.split(","))
        return self

    def nats_url_redacted(self) -> str:
        """The server URLs without the password, for logs."""
        return self.nats_url.replace(f":{self.nats_password}@", ":***@") \
            if self.nats_password else self.nats_url

    @property
    def health_dir_path(self) -> Path:
        return self.health_dir or self.data_dir / "health"

    def database_url_for(self, service: str) -> str:
        """`<SERVICE>_DATABASE_URL` wins; then the shared template; then a SQLite file."""
        own = os.environ.get(f"{service.upper()}_DATABASE_URL")
        if own:
            return own
        if self.database_url:
            return self.database_url.replace("{service}", service)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{service}.db').resolve()}"
