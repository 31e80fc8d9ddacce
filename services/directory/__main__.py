"""`python -m services.directory [run|rebuild]`."""

from services.directory.handlers import build
from shared.service import Service

if __name__ == "__main__":
    Service("directory", build).main()
