"""GraphQL request limits (depth, tokens, aliases, page size) and the production policy for
introspection and GraphiQL: each refusal is a typed error, never a server error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from graphql import GraphQLObjectType, get_introspection_query, get_named_type

from services.gateway.app import GraphQLApp, Runtime
from services.gateway.auth import TokenIssuer, signing_key
from services.gateway.limits import MAX_INTROSPECTION_DEPTH
from services.gateway.ratelimit import FailureWindow
from services.gateway.schema import MAX_ALIASES, MAX_TOKENS, build_schema, schema
from services.gateway.settings import GatewaySettings
from tests.security.conftest import A, World
from tests.security.operations import QUERIES, render

INTROSPECTION = "{ __schema { queryType { name } } }"


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    [err] = body["errors"]
    return {"message": err["message"], **(err.get("extensions") or {})}


def _deep(levels: int) -> str:
    """An introspection query `levels` fields deep (the schema's only unbounded recursion)."""
    inner = "name"
    for _ in range(levels - 5):  # __schema types fields type ... name
        inner = f"ofType {{ {inner} }}"
    return f"{{ __schema {{ types {{ fields {{ type {{ {inner} }} }} }} }} }}"


async def test_a_query_too_deep_is_refused(world: World) -> None:
    """The schema's own types nest 3 deep: depth can only be abused through introspection,
    which strawberry's limiter does not count; ours does."""
    too_deep = _deep(MAX_INTROSPECTION_DEPTH + 1)
    err = _only_error(await world.gql(too_deep, headers=world.headers("teacher")))
    assert err["code"] == "bad_request"
    assert f"maximum operation depth of {MAX_INTROSPECTION_DEPTH}" in err["message"]
    deep_enough = await world.gql(_deep(MAX_INTROSPECTION_DEPTH),
                                  headers=world.headers("teacher"))
    assert not deep_enough.get("errors")


def test_the_usual_introspection_query_stays_within_the_limit() -> None:
    """GraphiQL's introspection (graphql-core's copy of it) still works in development."""
    assert not build_schema().execute_sync(get_introspection_query(descriptions=True)).errors


async def test_too_many_aliases_are_refused(world: World) -> None:
    query = "{ " + " ".join(f"a{i}: me {{ personId }}" for i in range(MAX_ALIASES + 1)) + " }"
    err = _only_error(await world.gql(query, headers=world.headers("teacher")))
    assert err["code"] == "bad_request"
    assert "aliases" in err["message"].lower()


async def test_too_many_tokens_are_refused(world: World) -> None:
    query = "{ me { " + " ".join(["personId"] * MAX_TOKENS) + " } }"
    err = _only_error(await world.gql(query, headers=world.headers("teacher")))
    assert err["code"] == "bad_request"
    assert "token" in err["message"].lower()


async def test_within_the_limits_is_answered(world: World) -> None:
    query = "{ " + " ".join(f"a{i}: me {{ personId }}" for i in range(MAX_ALIASES)) + " }"
    body = await world.gql(query, headers=world.headers("teacher"))
    assert not body.get("errors") and len(body["data"]) == MAX_ALIASES


def _paged() -> list[str]:
    fields = schema._schema.query_type.fields  # type: ignore[union-attr]
    return sorted(name for name, f in fields.items() if "limit" in f.args)


@pytest.mark.parametrize("name", _paged())
async def test_a_page_too_large_is_invalid_on_limit(world: World, name: str) -> None:
    """Every paged list caps its page size (the service's contract says by how much)."""
    field = schema._schema.query_type.fields[name]  # type: ignore[union-attr]
    args = {**QUERIES[name](world.targets[A], 0), "limit": 1_000_000}
    rendered = ", ".join(f"{k}: {render(v)}" for k, v in args.items())
    selection = " { __typename }" if isinstance(get_named_type(field.type),
                                                GraphQLObjectType) else ""
    body = await world.gql(f"{{ {name}({rendered}){selection} }}",
                           headers=world.headers("la_admin"))
    err = _only_error(body)
    assert (err["code"], err["field"]) == ("invalid", "limit"), err


def test_introspection_is_off_in_production() -> None:
    assert not build_schema().execute_sync(INTROSPECTION).errors
    refused = build_schema(production=True).execute_sync(INTROSPECTION)
    assert refused.errors and "introspection has been disabled" in refused.errors[0].message
    assert refused.errors[0].extensions == {"code": "bad_request"}


def test_production_is_the_setting_esafety_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESAFETY_ENV", "production")
    assert GatewaySettings().production
    monkeypatch.setenv("ESAFETY_ENV", "development")
    assert not GatewaySettings().production


@pytest.mark.parametrize("env, served", [("development", "graphiql"), ("production", None)])
def test_graphiql_only_outside_production(env: str, served: str | None, tmp_path: Any) -> None:
    settings = GatewaySettings(env=env, data_dir=tmp_path, jwt_secret="k" * 40)
    runtime = Runtime(settings, TokenIssuer(signing_key(settings), timedelta(minutes=5)),
                      FailureWindow(5, 60))
    assert GraphQLApp(runtime).graphql_ide == served
