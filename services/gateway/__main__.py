"""`python -m services.gateway`: serve the GraphQL API with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s gateway %(levelname)s %(message)s")
    uvicorn.run(create_app(settings), host=settings.gateway_host, port=settings.gateway_port,
                log_level="info")


if __name__ == "__main__":
    main()
