"""`python -m services.gateway`: serve the GraphQL API with uvicorn."""

from __future__ import annotations

import uvicorn

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from shared.telemetry import setup_logging


def main() -> None:
    settings = GatewaySettings()
    setup_logging("gateway", settings.log_format)  # with trace ids, as the services
    uvicorn.run(create_app(settings), host=settings.gateway_host, port=settings.gateway_port,
                log_level="info")


if __name__ == "__main__":
    main()
