"""One fuzzing campaign against a running platform: the callers, the GraphQL and HTTP runs,
and the checks after them (no server error, nothing written by a rejected request, no
unhandled failure in any service's log). `make fuzz` and tests/fuzz/test_fuzz.py both run it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fuzz.engine import Fuzzer, Tally
from tests.fuzz.graphql import Pools, fuzz_graphql, operations
from tests.fuzz.ingest import fuzz_ingest
from tests.fuzz.live import Headers, RunningPlatform

MODERATOR, DSL, LA_ADMIN = "la.moderator1", "oakridge.dsl", "la.admin"


def callers(platform: RunningPlatform) -> tuple[dict[str, Headers], dict[str, Headers]]:
    """Who the requests come from: demo logins, an integrator key, and bad credentials. The
    roster endpoint gets Glenfield's key: a full sync of garbage would make leavers of the
    Oakridge DSL the GraphQL run signs in as. In order of preference: hypothesis draws the
    first more often."""
    token = platform.token(DSL)
    head, _, signature = token.rpartition(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    signed_in = {"dsl": platform.bearer(DSL), "la moderator": platform.bearer(MODERATOR),
                 "la admin": platform.bearer(LA_ADMIN)}
    bad = {"anonymous": {}, "tampered token": {"Authorization": f"Bearer {head}.{flipped}"},
           "unknown key": {"Authorization": "ApiKey esk_0000000000000000_nope"}}
    return ({**signed_in, "integrator key": platform.api_key("oakridge"), **bad},
            {"integrator key": platform.api_key("glenfield"), **signed_in, **bad})


def real_ids(platform: RunningPlatform) -> Pools:
    """A few pupils, captures and incidents of the demo data, as fuzzing's id pools (no staff:
    a generated removeRole must not take the DSL's role away from the rest of the run)."""
    def items(user: str, query: str) -> list[dict[str, Any]]:
        resp = httpx.post(f"{platform.url}/graphql", json={"query": query},
                          headers=platform.bearer(user), timeout=120)
        data = resp.json()["data"]
        return list(next(iter(data.values()))["items"])

    people = items(DSL, '{ people(schoolId: "oakridge", kind: PUPIL, limit: 8) '
                        "{ items { personId } } }")
    captures = items(MODERATOR, "{ moderationQueue(limit: 8) { items { captureId } } }")
    incidents = items(DSL, '{ incidentLog(schoolId: "oakridge", limit: 8) '
                           "{ items { incidentId } } }")
    return {"personId": [p["personId"] for p in people],
            "captureId": [c["captureId"] for c in captures],
            "incidentId": [i["incidentId"] for i in incidents]}


@dataclass
class Outcome:
    tally: Tally
    written_by_rejected: list[str] = field(default_factory=list)
    log_failures: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.tally.failures or self.written_by_rejected or self.log_failures)

    def summary(self) -> str:
        return self.tally.summary([
            f"events written by rejected requests: {len(self.written_by_rejected)}",
            *self.written_by_rejected[:20],
            f"unhandled failures in the services' logs: {len(self.log_failures)}",
            *self.log_failures[:20]])


def run_campaign(platform: RunningPlatform, total: int, base_seed: int,
                 progress: bool = False) -> Outcome:
    """About `total` cases: nine in ten to GraphQL, spread over its operations, the rest to
    the two HTTP ingest endpoints."""
    auths, roster_auths = callers(platform)
    fuzzer = Fuzzer(platform, progress)
    try:
        per_operation = -(-total * 9 // 10 // len(operations()))  # rounded up
        fuzz_graphql(fuzzer, auths, per_operation, base_seed, real_ids(platform))
        fuzz_ingest(fuzzer, auths, roster_auths, -(-total // 20), base_seed)
        return Outcome(fuzzer.tally, fuzzer.written_by_rejected(), fuzzer.log_failures())
    finally:
        fuzzer.close()
