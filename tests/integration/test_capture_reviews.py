"""The headteacher's weekly review through the capture service (controllable clock): what is
new since the last review, recording one, the LA's list of overdue schools, and tenancy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.claims import Role
from shared.errors import Forbidden, InvalidInput
from tests.integration import test_capture_alerts as alerts
from tests.integration.test_capture_alerts import HEAD_A, Env
from tests.integration.test_capture_digests import graded
from tests.integration.test_capture_service import DSL_A, DSL_B, MOD1, T0, A, person
from tests.support.procs import eventually

env = alerts.env  # the directory and capture services on a private NATS
HEAD_B = person("b-head", "glenfield", Role.HEADTEACHER)


async def worklist(env: Env) -> dict[str, Any]:
    result: dict[str, Any] = await env.call("ReviewWorklist", HEAD_A, school_id=A)
    return result


class TestWeeklyReview:
    async def test_new_since_the_last_review_and_overdue_to_the_la(self, env: Env) -> None:
        concern = await graded(env, "w1", "concern", "keep an eye on this pupil")
        await graded(env, "w2", "false_positive")
        first = await worklist(env)
        assert (first["last_review"], first["overdue"], first["total"]) == (None, True, 2)
        assert (await env.call("OverdueReviews", MOD1)) == [
            {"school_id": A, "last_review_at": None}]

        env.clock.now = T0 + timedelta(hours=1)
        with pytest.raises(InvalidInput, match="not a moderated capture"):
            await env.call("RecordWeeklyReview", HEAD_A, school_id=A,
                           findings="all followed up", captures_seen=["f" * 32])
        done = await env.call("RecordWeeklyReview", HEAD_A, school_id=A,
                              findings="concern followed up with the DSL",
                              captures_seen=[concern])
        assert (done["by"], done["captures_seen"]) == ("a-head", [concern])
        assert done["period_from"].startswith((T0 - timedelta(days=6, hours=23)).isoformat()[:13])

        after = await eventually(lambda: worklist(env), lambda w: w["last_review"] is not None)
        assert (after["overdue"], after["total"]) == (False, 0)
        env.clock.now = T0 + timedelta(hours=2)
        fresh = await graded(env, "w3", "no_further_action")
        now_new = await worklist(env)
        assert [c["capture_id"] for c in now_new["captures"]] == [fresh]
        assert await env.call("OverdueReviews", MOD1) == []

        env.clock.now = T0 + timedelta(days=8, hours=2)
        [late] = await env.call("OverdueReviews", MOD1)
        assert late["school_id"] == A and late["last_review_at"].startswith(
            (T0 + timedelta(hours=1)).isoformat()[:16])
        assert (await worklist(env))["overdue"] is True

    async def test_only_the_head_records_and_other_schools_cannot_read(self, env: Env) -> None:
        with pytest.raises(Forbidden):
            await env.call("RecordWeeklyReview", DSL_A, school_id=A, findings="looked at all")
        with pytest.raises(Forbidden):
            await env.call("RecordWeeklyReview", HEAD_B, school_id=A, findings="looked at all")
        await env.call("RecordWeeklyReview", HEAD_A, school_id=A, findings="nothing new today")
        page = await eventually(
            lambda: env.call("ListReviews", DSL_A, school_id=A), lambda p: p["total"] == 1)
        assert page["items"][0]["findings"] == "nothing new today"
        for outsider in (DSL_B, HEAD_B):
            for name in ("ListReviews", "ReviewWorklist"):
                with pytest.raises(Forbidden):
                    await env.call(name, outsider, school_id=A)
        with pytest.raises(Forbidden):
            await env.call("OverdueReviews", HEAD_A)
