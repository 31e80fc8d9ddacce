"""GraphQL documents and small assertions shared by the e2e tests."""

from __future__ import annotations

from typing import Any

ME = "{ me { personId name schoolId laId roles } }"
SCHOOLS = "{ schools { schoolId laId name urn phase } }"
PEOPLE = """query($s: String!, $kind: PersonKind) {
  people(schoolId: $s, kind: $kind) { total items { personId givenName yearGroup roles } } }"""
PERSON = "query($s: String!, $p: String!) { person(schoolId: $s, personId: $p) { personId } }"
ENROL = "mutation($i: EnrolPersonInput!) { enrolPerson(input: $i) { personId } }"
ASSIGN = """mutation($s: String!, $p: String!, $r: Role!) {
  assignRole(schoolId: $s, personId: $p, role: $r) { personId } }"""


def error(body: dict[str, Any]) -> dict[str, Any]:
    """The one error of a failed response, flattened with its extensions; no data beside it."""
    assert not any((body.get("data") or {}).values()), body
    [err] = body["errors"]
    extensions: dict[str, Any] = err.get("extensions") or {}
    return {"message": err["message"], **extensions}


def pupil(school: str, person_id: str, **extra: Any) -> dict[str, Any]:
    return {"schoolId": school, "personId": person_id, "kind": "PUPIL", "givenName": "Ada",
            "familyName": "Lovelace", "yearGroup": 5, **extra}


def error_code(body: dict[str, Any]) -> str | None:
    """The first error's code, or None when the request succeeded."""
    errors = body.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None
