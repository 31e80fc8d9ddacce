"""`python -m services.reporting [run|rebuild]`."""

from services.reporting.handlers import build
from shared.service import Service

if __name__ == "__main__":
    Service("reporting", build).main()
