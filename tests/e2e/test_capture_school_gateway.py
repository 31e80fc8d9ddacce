"""The school's side of moderation through GraphQL: the library as CSV (LA staff), the
headteacher's weekly review, digests; another school's DSL reads neither."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.capture.handlers import build
from shared.claims import system_claims
from shared.natsserver import NatsServer
from shared.passwords import hash_password
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, PASSWORD, A, B, Platform, people_of
from tests.support.procs import eventually

USERS = [("rv-mod", LA, "la_staff", "la_moderator", "rv.mod"),
         ("rv-a-head", A, "staff", "headteacher", "rv.a.head"),
         ("rv-b-dsl", B, "staff", "dsl", "rv.b.dsl")]
IMPORT = """mutation($c: String!) { importKeywordLibrary(csv: $c) {
  added unchanged phrases rejected { row phrase field reason } } }"""
EXPORT = "query { keywordLibraryCsv }"
WORKLIST = """query($s: String!) { reviewWorklist(schoolId: $s) { overdue total
  lastReview { by } } }"""
RECORD = """mutation($s: String!, $f: String!) { recordWeeklyReview(schoolId: $s, findings: $f) {
  by byName findings capturesSeen } }"""
REVIEWS = "query($s: String!) { weeklyReviews(schoolId: $s) { by findings } }"
DIGESTS = "query($s: String!) { digests(schoolId: $s) { day counts } }"
OVERDUE = "query { overdueReviews { schoolId lastReviewAt } }"


@pytest.fixture(scope="module")
async def capture(platform: Platform, e2e_nats: NatsServer,
                  tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Service]:
    service = Service("capture", build, Settings(nats_url=e2e_nats.url,
                                                 data_dir=tmp_path_factory.mktemp("school")))
    await service.start()
    system = system_claims(LA)
    password_hash = await hash_password(PASSWORD)
    for pid, school, kind, role, username in USERS:
        for name, extra in (("EnrolPerson", {"kind": kind, "given_name": "Rev",
                                             "family_name": pid}),
                            ("AssignRole", {"role": role}),
                            ("OpenAccount", {"username": username,
                                             "password_hash": password_hash})):
            await platform.rpc.call("directory", name,
                                    {"school_id": school, "person_id": pid, **extra}, system)
    await eventually(lambda: _usernames(platform), lambda got: {u[4] for u in USERS} <= got,
                     within=15)
    try:
        yield service
    finally:
        await service.stop()


async def _usernames(platform: Platform) -> set[str]:
    return {p["username"] for s in (LA, A, B) for p in await people_of(platform.rpc, s)
            if p["username"]}


def error_code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


async def test_the_library_as_csv(platform: Platform, capture: Service) -> None:
    mod = await platform.token("rv.mod")
    done = await platform.gql(IMPORT, {"c": "phrase,category,severity\nhurt myself,self_harm,5\n"
                                            "knife,weaponry,4\n"}, mod)
    report = done["data"]["importKeywordLibrary"]
    assert (report["added"], report["phrases"]) == (1, 1)
    assert [(r["row"], r["field"]) for r in report["rejected"]] == [(3, "category")]
    exported = (await platform.gql(EXPORT, None, mod))["data"]["keywordLibraryCsv"]
    assert exported.splitlines()[1] == "hurt myself,self_harm,5,la,active,,,"
    dsl_b = await platform.token("rv.b.dsl")
    assert error_code(await platform.gql(IMPORT, {"c": "phrase,category,severity\n"}, dsl_b)) \
        == "forbidden"


async def test_the_heads_weekly_review(platform: Platform, capture: Service) -> None:
    head = await platform.token("rv.a.head")
    before = (await platform.gql(WORKLIST, {"s": A}, head))["data"]["reviewWorklist"]
    assert (before["overdue"], before["total"], before["lastReview"]) == (True, 0, None)
    done = (await platform.gql(RECORD, {"s": A, "f": "nothing moderated this week"}, head))
    assert done["data"]["recordWeeklyReview"]["by"] == "rv-a-head", done
    await eventually(lambda: platform.gql(REVIEWS, {"s": A}, head),
                     lambda b: len(b["data"]["weeklyReviews"]) == 1)
    mod = await platform.token("rv.mod")
    overdue = (await platform.gql(OVERDUE, None, mod))["data"]["overdueReviews"]
    assert A not in {o["schoolId"] for o in overdue}

    dsl_b = await platform.token("rv.b.dsl")
    for query in (REVIEWS, WORKLIST, DIGESTS):
        assert error_code(await platform.gql(query, {"s": A}, dsl_b)) == "forbidden"
    assert error_code(await platform.gql(RECORD, {"s": B, "f": "looked at all"}, dsl_b)) \
        == "forbidden"
    assert error_code(await platform.gql(DIGESTS, {"s": B}, dsl_b)) is None
