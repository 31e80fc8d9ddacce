"""Gateway-only settings, on top of the shared ones (same `ESAFETY_` environment prefix)."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import field_validator

from shared.settings import Settings


class GatewaySettings(Settings):
    # ESAFETY_ENV=production turns off introspection and the in-browser GraphiQL.
    env: Literal["development", "production"] = "development"
    # Failed logins allowed per username + client address inside the sliding window.
    login_max_failures: int = 5
    login_window_seconds: float = 60.0
    # The reverse proxies in front (IPs or CIDRs, comma-separated) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed; none by default: the caller is the direct peer.
    trusted_proxies: str = ""

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for item in _items(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR network") from None
        return value

    @property
    def proxies(self) -> list[str]:
        return _items(self.trusted_proxies)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def of(cls, settings: Settings) -> GatewaySettings:
        """Widen plain `Settings`: explicit values win, gateway ones come from the environment."""
        if isinstance(settings, cls):
            return settings
        return cls(**settings.model_dump())


def _items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
