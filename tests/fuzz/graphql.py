"""Schema-driven GraphQL fuzzing: schemathesis generates documents for every query and mutation
of the gateway's schema (valid ones, and invalid ones GraphQL itself must refuse); each is sent
as a caller drawn from `auths`, its `schoolId` often replaced by a real school so that cases
get past tenancy into the services' own validation."""

from __future__ import annotations

import json
import re
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation

from services.directory.demo import LA_ID
from services.gateway.schema import build_schema
from tests.fuzz.engine import Fuzzer, judge_graphql

# None: keep the generated id (mostly nonsense). The LA's id is a tenant too.
SCHOOLS = (None, None, "oakridge", "oakridge", "glenfield", LA_ID)
ID_ARG = re.compile(r'\b(schoolId|personId|incidentId|captureId)(:\s*)"(?:[^"\\]|\\.)*"')
Pools = dict[str, list[str]]  # argument name -> ids that exist
Operation = APIOperation[Any, Any, Any, Any]
# Mostly documents the schema allows (they reach the resolvers and services); some it does not.
MODES = (GenerationMode.POSITIVE, GenerationMode.POSITIVE, GenerationMode.POSITIVE,
         GenerationMode.NEGATIVE)


def operations() -> list[Operation]:
    """Every query and mutation, read from the schema the gateway serves (no server needed)."""
    schema = schemathesis.graphql.from_dict(build_schema(production=False).introspect())
    return [result.ok() for result in schema.get_all_operations()
            if isinstance(result, Ok)]


def with_ids(query: str, ids: dict[str, str | None]) -> str:
    """The document with its id arguments replaced by the chosen real ones."""
    def real(m: re.Match[str]) -> str:
        chosen = ids.get(m.group(1))
        return m.group(0) if chosen is None else f"{m.group(1)}{m.group(2)}{json.dumps(chosen)}"

    return ID_ARG.sub(real, query)


def fuzz_graphql(fuzzer: Fuzzer, auths: dict[str, dict[str, str]], per_operation: int,
                 base_seed: int, pools: Pools, only: str | None = None) -> None:
    """`per_operation` cases for each operation (fewer when its inputs allow fewer); ids
    often drawn from `pools`, so that cases reach real schools, people, captures and
    incidents (and their state checks), not only "not found"."""
    ids = st.fixed_dictionaries({"schoolId": st.sampled_from(SCHOOLS), **{
        name: st.sampled_from([None, *pool]) for name, pool in pools.items()}})
    for i, op in enumerate(operations()):
        if not (only is None or only in op.label):
            continue
        _fuzz_operation(fuzzer, auths, ids, op, per_operation, base_seed + i)


def _fuzz_operation(fuzzer: Fuzzer, auths: dict[str, dict[str, str]],
                    ids: st.SearchStrategy[dict[str, str | None]], op: Operation, cases: int,
                    op_seed: int) -> None:
    names = list(auths)
    strategy = st.one_of(*(op.as_strategy(generation_mode=mode) for mode in MODES))

    @seed(op_seed)
    @settings(max_examples=cases, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy, auth=st.sampled_from(names), chosen=ids)
    def run(case: schemathesis.Case[Any], auth: str, chosen: dict[str, str | None]) -> None:
        query = with_ids(str(case.body), chosen)
        fuzzer.send(op.label, auth, auths[auth], judge_graphql, url="/graphql",
                    json={"query": query})

    run()
