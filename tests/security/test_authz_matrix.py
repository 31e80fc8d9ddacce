"""The authorization matrix: every Query, Mutation and Subscription field of the gateway's
schema x every principal x own school / other school / the LA, run against the whole platform
and compared with the checked-in expectation (`authz_matrix.py`).

An answer is classified as
- allowed: data, or a refusal the service makes only after authorising (conflict,
  already_exists: the state, not the caller, stood in the way);
- denied: forbidden, unauthenticated, or not_found (other tenants' ids are "not found");
- inconclusive: anything else (bad arguments): a fault of this suite, and it fails the test.
  Except: "invalid" from a write whose same arguments succeeded for another caller is the
  state speaking (already acknowledged, already closed...): services authorise first, so
  the caller got past authorisation ("allowed").
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

import pytest
from graphql import GraphQLField, GraphQLObjectType, get_named_type

from services.gateway.schema import schema
from tests.security.authz_matrix import MATRIX, SUBSCRIPTION_MATRIX, Rule
from tests.security.conftest import LA_PRINCIPALS, PRINCIPALS, A, B, World
from tests.security.operations import (
    GLOBAL,
    ID_ONLY,
    LA_TARGET,
    MUTATIONS,
    QUERIES,
    SUBSCRIPTIONS,
    Args,
    render,
)
from tests.support.asgi_ws import AsgiWebSocket

DENIALS = {"forbidden", "unauthenticated", "not_found"}
AFTER_AUTHORISATION = {"conflict", "already_exists"}
STATE = "inconclusive: invalid:"
CONCURRENCY = 8
# ~3,800 cells, with the platform's start on a first run: minutes on a loaded 2-core machine
# (a bound, not a timing claim).
pytestmark = pytest.mark.timeout(1200)


@dataclass(frozen=True)
class Cell:
    kind: str  # query, mutation, subscription
    field: str
    principal: str
    target: str | None  # school id, the LA id, or None for operations naming no school

    def expected(self, rule: Rule) -> bool:
        la_principal = self.principal in LA_PRINCIPALS
        if self.target is None or self.target == A:
            return self.principal in rule.school
        if self.target == B:
            return la_principal and self.principal in rule.school
        return self.principal in rule.la


def _fields(kind: str) -> dict[str, GraphQLField]:
    gql = schema._schema
    root = {"query": gql.query_type, "mutation": gql.mutation_type,
            "subscription": gql.subscription_type}[kind]
    assert root is not None
    return dict(root.fields)


def _tables(kind: str) -> tuple[dict[str, Rule], dict[str, Args]]:
    if kind == "subscription":
        return SUBSCRIPTION_MATRIX, SUBSCRIPTIONS
    return MATRIX, QUERIES if kind == "query" else MUTATIONS


KINDS = ("query", "mutation", "subscription")


def test_every_operation_has_an_entry_and_arguments() -> None:
    """A new operation fails here until someone writes down who may call it."""
    for kind in KINDS:
        rules, builders = _tables(kind)
        names = set(_fields(kind))
        assert names - set(rules) == set(), f"{kind} fields without a matrix entry"
        assert names - set(builders) == set(), f"{kind} fields without argument builders"
    every = set(_fields("query")) | set(_fields("mutation"))
    assert set(MATRIX) - every == set(), "matrix entries for operations that no longer exist"


def _cells() -> list[Cell]:
    cells = []
    for kind in KINDS:
        for name in _fields(kind):
            targets: list[str | None] = ([None] if name in GLOBAL else
                                         [A, B] if name in ID_ONLY else [A, B, LA_TARGET])
            cells += [Cell(kind, name, p, t) for p in PRINCIPALS for t in targets]
    return cells


def _selection(field: GraphQLField) -> str:
    return " { __typename }" if isinstance(get_named_type(field.type),
                                            GraphQLObjectType) else ""


def _document(cell: Cell, number: int, world: World) -> str:
    field = _fields(cell.kind)[cell.field]
    _, builders = _tables(cell.kind)
    targets = world.targets[A if cell.target in (None, LA_TARGET) else cell.target]
    if cell.target == LA_TARGET:
        targets = replace(targets, school=LA_TARGET)
    if cell.field == "withdrawConsent":
        targets = replace(targets, pupil=targets.signed[cell.principal])
    args = builders[cell.field](targets, number)
    rendered = f"({', '.join(f'{k}: {render(v)}' for k, v in args.items())})" if args else ""
    selection = _selection(field)
    if cell.field == "bulkGradeFalsePositives":
        selection = " { ok reason }"
    return f"{cell.kind} {{ {cell.field}{rendered}{selection} }}"


def _classify(body: dict[str, Any], cell: Cell) -> str:
    errors = body.get("errors") or []
    if not errors:
        if cell.field == "bulkGradeFalsePositives":
            # Per-item answers: a refused item names the rule it failed.
            [item] = body["data"][cell.field]
            refused = not item["ok"] and item["reason"].startswith(
                ("you may not", "this needs", "an integrator key"))
            return "denied" if refused else "allowed"
        return "allowed"
    code = (errors[0].get("extensions") or {}).get("code")
    if code in DENIALS:
        return "denied"
    if code in AFTER_AUTHORISATION:
        return "allowed"
    return f"inconclusive: {code}: {errors[0].get('message')}"


async def _run_http(world: World, cell: Cell, number: int) -> str:
    query = _document(cell, number, world)
    return _classify(await world.gql(query, headers=world.headers(cell.principal)), cell)


async def _run_socket(world: World, cell: Cell, number: int) -> str:
    if cell.principal in world.keys:
        params = {"authorization": f"ApiKey {world.keys[cell.principal]}"}
    else:
        params = {"authorization": f"Bearer {world.tokens[cell.principal]}"}
    async with AsgiWebSocket(world.app, "/graphql") as ws:
        await ws.send({"type": "connection_init", "payload": params})
        assert (await ws.receive())["type"] == "connection_ack"
        await ws.send({"id": "1", "type": "subscribe",
                       "payload": {"query": _document(cell, number, world)}})
        try:
            first = await ws.receive()
        except TimeoutError:
            # Subscribed, and nothing open to send yet (a refusal comes at once, as an error).
            return "allowed"
    if first["type"] == "next" and not first["payload"].get("errors"):
        return "allowed"
    errors = first["payload"] if first["type"] == "error" else first["payload"]["errors"]
    return _classify({"errors": errors}, cell)


@pytest.fixture(scope="module")
async def outcomes(world: World) -> dict[Cell, str]:
    cells = _cells()
    numbers = itertools.count(1)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(cell: Cell) -> tuple[Cell, str]:
        async with gate:
            run = _run_socket if cell.kind == "subscription" else _run_http
            return cell, await run(world, cell, next(numbers))

    # Reads first, on the state the set-up left; then the writes.
    done = dict(await asyncio.gather(*(one(c) for c in cells if c.kind != "mutation")))
    done.update(await asyncio.gather(*(one(c) for c in cells if c.kind == "mutation")))
    succeeded = {c.field for c, got in done.items() if got == "allowed"}
    return {c: "allowed" if got.startswith(STATE) and c.field in succeeded else got
            for c, got in done.items()}


def _rule(cell: Cell) -> Rule:
    rules, _ = _tables(cell.kind)
    return rules[cell.field]


def _report(title: str, cells: list[tuple[Cell, str]]) -> str:
    lines = [f"{title}: {len(cells)}"]
    lines += [f"  {c.kind} {c.field} as {c.principal} at {c.target or '-'}: {got}"
              for c, got in sorted(cells, key=lambda x: (x[0].field, x[0].principal))]
    return "\n".join(lines)


async def test_every_cell_answers_as_the_matrix_says(outcomes: dict[Cell, str]) -> None:
    inconclusive = [(c, got) for c, got in outcomes.items() if got.startswith("inconclusive")]
    unexpected_allows = [(c, got) for c, got in outcomes.items()
                         if got == "allowed" and not c.expected(_rule(c))]
    unexpected_denies = [(c, got) for c, got in outcomes.items()
                         if got == "denied" and c.expected(_rule(c))]
    tally = Counter(got.split(":")[0] for got in outcomes.values())
    print(f"\nauthorization matrix: {len(outcomes)} cells, {dict(tally)}")
    assert (unexpected_allows, inconclusive, unexpected_denies) == ([], [], []), "\n".join((
        _report("unexpected allows", unexpected_allows),
        _report("inconclusive cells", inconclusive),
        _report("unexpected denies", unexpected_denies)))


async def test_the_matrix_denies_as_well_as_allows(outcomes: dict[Cell, str]) -> None:
    """A guard on the suite itself: both answers occur for most operations, so a platform
    that refused (or allowed) everything would fail the matrix."""
    allowed = {c.field for c, got in outcomes.items() if got == "allowed"}
    denied = {c.field for c, got in outcomes.items() if got == "denied"}
    every = {c.field for c in outcomes}
    assert every - allowed == set()
    assert every - denied <= {"me", "schools", "login"}
