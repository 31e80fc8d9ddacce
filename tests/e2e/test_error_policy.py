"""What the schema does with failures it did not expect, run in-process (no server needed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from starlette.requests import Request

from services.gateway.auth import TokenIssuer
from services.gateway.context import Context
from services.gateway.ratelimit import FailureWindow
from services.gateway.schema import build_schema
from shared.claims import Claims, Role
from shared.rpc import RpcClient, ServiceUnavailable

CALLER = Claims(subject="a-admin", school_id="oakridge", la_id="testshire",
                roles=frozenset({Role.SCHOOL_ADMIN}))


class FailingRpc(RpcClient):
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    async def call(self, *args: Any, **kwargs: Any) -> Any:
        raise self.exc


def context(exc: Exception) -> Context:
    request = Request({"type": "http", "headers": [], "client": ("10.0.0.1", 1234)})
    return Context(request=request, rpc=FailingRpc(exc), claims=CALLER,
                   tokens=TokenIssuer(b"k" * 32, timedelta(minutes=1)),
                   logins=FailureWindow(5, 60))


@pytest.mark.parametrize(("exc", "code", "message"), [
    (RuntimeError("db password is hunter2"), "internal", "internal error"),
    (KeyError("secret"), "internal", "internal error"),
    (ServiceUnavailable("the directory service did not answer"), "unavailable",
     "the directory service did not answer"),
])
async def test_unexpected_failures_are_masked(exc: Exception, code: str, message: str) -> None:
    result = await build_schema().execute("{ schools { schoolId } }", context_value=context(exc))
    assert result.errors is not None
    [err] = result.errors
    assert (err.message, (err.extensions or {}).get("code")) == (message, code)


async def test_production_refuses_introspection() -> None:
    query = "{ __schema { types { name } } }"
    assert (await build_schema().execute(query)).errors is None
    result = await build_schema(production=True).execute(query)
    assert result.errors and "introspection" in result.errors[0].message.lower()
