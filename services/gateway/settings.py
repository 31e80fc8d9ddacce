"""Gateway-only settings, on top of the shared ones (same `ESAFETY_` environment prefix)."""

from __future__ import annotations

from typing import Literal

from shared.settings import Settings


class GatewaySettings(Settings):
    # ESAFETY_ENV=production turns off introspection and the in-browser GraphiQL.
    env: Literal["development", "production"] = "development"
    # Failed logins allowed per username + client address inside the sliding window.
    login_max_failures: int = 5
    login_window_seconds: float = 60.0

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def of(cls, settings: Settings) -> GatewaySettings:
        """Widen plain `Settings`: explicit values win, gateway ones come from the environment."""
        if isinstance(settings, cls):
            return settings
        return cls(**settings.model_dump())
