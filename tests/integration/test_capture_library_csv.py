"""The keyword library's CSV import and export through the capture service: a per-row result,
good rows stored and used by triage at once, exclusions exported with their audited reason,
and only the right people."""

from __future__ import annotations

import csv
import io

import pytest

from shared.errors import Forbidden
from tests.integration import test_capture_service as capture_tests
from tests.integration.test_capture_service import (
    ADMIN,
    DSL_A,
    DSL_B,
    KEY_A,
    MOD1,
    TEACHER_A,
    A,
    Env,
    item,
)
from tests.support.procs import eventually

env = capture_tests.env  # the capture service on a private NATS, with PHRASES in the library
CSV = ("phrase,category,severity\n"
       "hurt myself,self_harm,5\n"  # already there, unchanged
       "send me a pic,grooming_cse,5\n"
       "vape shop,drugs,seven\n")


class TestImport:
    async def test_rows_are_judged_one_by_one_and_the_good_ones_triage_at_once(
            self, env: Env) -> None:
        done = await env.call("ImportLibraryCsv", MOD1, csv=CSV)
        assert (done["added"], done["unchanged"], done["phrases"]) == (1, 1, 4)
        assert [(p["row"], p["phrase"], p["field"]) for p in done["rejected"]] == [
            (4, "vape shop", "severity")]
        again = await env.call("ImportLibraryCsv", MOD1, csv=CSV)
        assert (again["added"], again["unchanged"]) == (0, 2)

        await env.call("IngestCaptures", KEY_A, school_id=A, captures=[
            item("csv-1", trigger="can you send me a pic")])
        [queued] = await eventually(env.queue, lambda q: len(q) == 1)
        assert (queued["category"], queued["severity"]) == ("grooming_cse", 5)

    async def test_only_la_staff_import(self, env: Env) -> None:
        for caller in (DSL_A, TEACHER_A):
            with pytest.raises(Forbidden):
                await env.call("ImportLibraryCsv", caller, csv=CSV)


class TestExport:
    async def test_a_schools_exclusions_come_with_who_and_why(self, env: Env) -> None:
        await env.call("ExcludeSchoolPhrase", DSL_A, school_id=A, phrase="place a bet",
                       reason="probability lessons in year 6 maths")
        rows = list(csv.DictReader(io.StringIO(
            (await env.call("ExportLibraryCsv", DSL_A, school_id=A))["csv"])))
        bet = next(r for r in rows if r["phrase"] == "place a bet")
        assert (bet["status"], bet["reason"], bet["by"]) == (
            "excluded", "probability lessons in year 6 maths", "a-dsl")
        assert bet["at"].startswith("20")
        la_only = (await env.call("ExportLibraryCsv", ADMIN))["csv"]
        assert "place a bet,gambling,2,la,active,,," in la_only.splitlines()

    async def test_another_schools_dsl_cannot_export_its_changes(self, env: Env) -> None:
        with pytest.raises(Forbidden):
            await env.call("ExportLibraryCsv", DSL_B, school_id=A)
