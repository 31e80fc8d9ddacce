"""How failures reach the client: domain errors typed, the unexpected masked.

Every error in a response carries `extensions.code`: a `DomainError`'s own code (and its
`field`, in the schema's camelCase), "bad_request" for a query GraphQL itself rejects, and
"internal" for anything else, whose message and cause are hidden from the client and logged
here instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.utils.str_converters import to_camel_case

from shared.errors import DomainError


def is_unexpected(error: GraphQLError) -> bool:
    """A resolver blew up with something that is not ours to explain."""
    original = error.original_error
    # No path: raised while parsing, validating or coercing the request (the client's fault).
    return (original is not None and error.path is not None
            and not isinstance(original, DomainError | GraphQLError))


class MaskUnexpected(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="internal error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "internal"}
        return masked


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            error.extensions = {**(error.extensions or {}), **_code_of(error)}


def _code_of(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, DomainError):
        # Services name fields as in their contracts (year_group); clients know yearGroup.
        field = to_camel_case(original.field) if original.field else None
        return {"code": original.code, "field": field}
    if error.path is None and not (error.extensions or {}).get("code"):
        return {"code": "bad_request"}
    return {}


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        # Domain and request errors are the client's business; only log what we will mask.
        super().process_errors([e for e in errors if is_unexpected(e)], execution_context)
