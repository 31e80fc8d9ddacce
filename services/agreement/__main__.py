"""`python -m services.agreement [run|rebuild]`."""

from services.agreement.handlers import build
from services.agreement.periodic import AgreementService

if __name__ == "__main__":
    AgreementService("agreement", build).main()
