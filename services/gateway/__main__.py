"""`python -m services.gateway`: serve the GraphQL API with uvicorn."""

from __future__ import annotations

import uvicorn

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from shared.telemetry import setup_logging


def main() -> None:
    settings = GatewaySettings()
    setup_logging("gateway", settings.log_format)  # with trace ids, as the services
    # No proxy_headers: uvicorn's own would believe X-Forwarded-For from 127.0.0.1 (or
    # FORWARDED_ALLOW_IPS); the app believes it only from ESAFETY_TRUSTED_PROXIES.
    uvicorn.run(create_app(settings), host=settings.gateway_host, port=settings.gateway_port,
                log_level="info", proxy_headers=False)


if __name__ == "__main__":
    main()
