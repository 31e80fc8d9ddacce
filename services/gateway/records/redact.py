"""Other pupils' names out of a subject access bundle: the kit's redaction (shared/redact.py)."""

from shared.redact import REDACTED, Redactor

__all__ = ["REDACTED", "Redactor"]
