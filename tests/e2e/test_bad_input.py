"""Bad input through GraphQL: a clear error with a code, never a 500, nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import A, Platform
from tests.e2e.helpers import ASSIGN, ENROL, PERSON, error, pupil

ONBOARD = """mutation($i: OnboardSchoolInput!) { onboardSchool(input: $i) { schoolId } }"""
OPEN = """mutation($p: String!, $pw: String!) {
  openAccount(schoolId: "oakridge", personId: $p, username: "new.user", password: $pw) {
    username } }"""

CASES: dict[str, tuple[str, str, dict[str, Any], str, str | None]] = {
    # name: (user, document, variables, code, field)
    "missing required field": ("a.admin", ENROL, {"i": {"schoolId": A, "kind": "PUPIL",
                                                        "givenName": "Ada"}},
                               "bad_request", None),
    "wrong type": ("a.admin", ENROL, {"i": pupil(A, "p-wrong-type", yearGroup="seven")},
                   "bad_request", None),
    "unknown enum": ("a.admin", ASSIGN, {"s": A, "p": "a-staff", "r": "SUPERUSER"},
                     "bad_request", None),
    "unknown school (LA)": ("la.admin", ENROL, {"i": pupil("nowhere", "p-nowhere")},
                            "not_found", "schoolId"),
    "unknown school (school user)": ("a.admin", ENROL, {"i": pupil("nowhere", "p-nowhere")},
                                     "forbidden", None),
    "pupil without year group": ("a.admin", ENROL, {"i": pupil(A, "p-no-year",
                                                               yearGroup=None)},
                                 "invalid", "yearGroup"),
    "year group out of range": ("a.admin", ENROL, {"i": pupil(A, "p-year-99", yearGroup=99)},
                                "invalid", "yearGroup"),
    "malformed school id": ("la.admin", ENROL, {"i": pupil("Not A Slug!", "p-slug")},
                            "invalid", "schoolId"),
    "malformed URN": ("la.admin", ONBOARD, {"i": {"schoolId": "new-school", "name": "New",
                                                  "urn": "12ab", "phase": "PRIMARY"}},
                      "invalid", "urn"),
    "another school's person (command)": ("a.admin", ASSIGN,
                                          {"s": A, "p": "b-pupil", "r": "TEACHER"},
                                          "not_found", "personId"),
    "another school's person (query)": ("a.admin", PERSON, {"s": A, "p": "b-pupil"},
                                        "not_found", "personId"),
    "short password": ("a.admin", OPEN, {"p": "a-staff", "pw": "too-short"},
                       "invalid", "password"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_is_refused_with_a_code(platform: Platform, case: str) -> None:
    user, document, variables, code, field = CASES[case]
    before = await platform.events()
    err = error(await platform.gql(document, variables, await platform.token(user)))
    assert err["code"] == code, err
    assert err.get("field") == field, err
    assert err["message"] and "internal" not in err["message"]
    assert await platform.events() == before

