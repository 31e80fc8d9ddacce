"""The school's side of moderation through GraphQL: the library as CSV (LA staff), the
headteacher's weekly review, digests; another school's DSL reads neither."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.capture.handlers import build
from shared.natsserver import NatsServer
from shared.service import Service
from shared.settings import Settings
from tests.e2e.conftest import LA, A, B, Platform, open_logins
from tests.e2e.helpers import error_code
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
    await open_logins(platform, USERS, given_name="Rev")
    try:
        yield service
    finally:
        await service.stop()


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
