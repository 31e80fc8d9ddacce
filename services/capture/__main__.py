"""`python -m services.capture [run|rebuild]`."""

from services.capture.handlers import build
from shared.service import Service

if __name__ == "__main__":
    Service("capture", build).main()
