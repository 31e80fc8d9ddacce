"""`python -m services.sanction [run|rebuild]`."""

from services.sanction.handlers import build
from shared.service import Service

if __name__ == "__main__":
    Service("sanction", build).main()
