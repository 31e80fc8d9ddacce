"""`python -m services.incident [run|rebuild]`."""

from services.incident.handlers import build
from shared.service import Service

if __name__ == "__main__":
    Service("incident", build).main()
