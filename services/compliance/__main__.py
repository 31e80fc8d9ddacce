"""`python -m services.compliance [run|rebuild]`."""

from services.compliance.handlers import build
from shared.service import Service

if __name__ == "__main__":
    Service("compliance", build).main()
