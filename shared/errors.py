"""Typed errors shared by every service and the gateway.

A `DomainError` carries a stable `code` so that it survives a trip over NATS
request-reply and becomes a typed GraphQL error at the gateway.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    code = "invalid"


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class AlreadyExists(DomainError):
    code = "already_exists"


class ConcurrencyError(DomainError):
    """A stale writer: the aggregate moved on since it was loaded."""

    code = "conflict"

    def __init__(self, stream: str, expected: int, actual: int | None = None) -> None:
        detail = f"stream {stream} expected at version {expected}"
        if actual is not None:
            detail += f", found {actual}"
        super().__init__(detail)
        self.stream = stream
        self.expected = expected
        self.actual = actual


class UnknownEventType(DomainError):
    code = "unknown_event"


class MalformedEvent(DomainError):
    code = "malformed_event"


ERRORS_BY_CODE: dict[str, type[DomainError]] = {
    cls.code: cls
    for cls in (InvalidInput, NotFound, Forbidden, Unauthenticated, AlreadyExists, UnknownEventType,
                MalformedEvent)
}
