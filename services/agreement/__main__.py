"""`python -m services.agreement [run|rebuild]`."""

from services.agreement.handlers import build
from shared.service import Service

if __name__ == "__main__":
    Service("agreement", build).main()
