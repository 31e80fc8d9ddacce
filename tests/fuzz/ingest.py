"""Property-based fuzzing of the plain HTTP ingest APIs (hypothesis strategies of our own):

- `POST /integrations/captures`: JSON (one capture, a list, `{"captures": [...]}`, any JSON,
  bytes that are not JSON) and multipart forms, with captures whose every field may be valid,
  out of range, of the wrong type or missing, and screenshots that are real PNGs, not images,
  not base64 or not text;
- `POST /integrations/oneroster`: zips of OneRoster CSV files with valid, missing and garbage
  cells, headers and files, zips of other things, and bytes that are no zip.

Each as a caller drawn from `auths`, naming its own school, another, or nonsense."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz.engine import Fuzzer, judge_http
from tests.support.browser import png

SCHOOLS = st.one_of(st.none(), st.none(), st.text(max_size=20),
                    st.sampled_from(["oakridge", "glenfield", "la-northshire"]))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20)
                    | st.floats(allow_nan=False, allow_infinity=False),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=10)
SHOT = base64.b64encode(png(4, 3, (200, 40, 40))).decode()


@st.composite
def corrupted(draw: st.DrawFn, valid: dict[str, st.SearchStrategy[Any]],
              wrong: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """A valid record with none, one or a few of its fields wrong, of another type, or gone
    (so that a third or so of the cases are accepted, and the rest probe one check each)."""
    record = {name: draw(strategy) for name, strategy in valid.items()}
    for name in draw(st.lists(st.sampled_from(sorted(valid)), max_size=3, unique=True)):
        if draw(st.booleans()):
            del record[name]
        else:
            record[name] = draw(wrong.get(name, JSON) | JSON)
    return record


TEXT = st.text(min_size=1, max_size=40)
PAST = st.datetimes(datetime(2020, 1, 1), datetime(2025, 12, 31), timezones=st.just(UTC))
VALID_CAPTURE: dict[str, st.SearchStrategy[Any]] = {
    "product": st.sampled_from(["SafeWatch", "Smoothwall"]),
    "product_capture_id": st.uuids().map(str), "captured_at": PAST.map(datetime.isoformat),
    "machine": TEXT, "username": st.sampled_from(["oak\\pupil7", "oak\\nobody"]) | TEXT,
    "trigger": st.sampled_from(["hurt myself", "knife", "homework"]) | TEXT,
    "product_category": st.none() | TEXT, "product_severity": st.none() | st.integers(1, 5),
    "excerpt": st.text(max_size=200), "url": st.none() | TEXT,
    "screenshot": st.sampled_from([None, SHOT]),
}
WRONG_CAPTURE: dict[str, st.SearchStrategy[Any]] = {
    "product": st.sampled_from(["", "x" * 101]), "product_capture_id": st.text(max_size=220),
    "captured_at": st.sampled_from(["2999-01-05T10:00:00+00:00", "2026-01-05T10:00:00",
                                    "yesterday", ""]) | st.datetimes().map(datetime.isoformat),
    "username": st.just(""), "trigger": st.sampled_from(["", "t" * 501]),
    "product_severity": st.integers(-2, 8) | st.text(max_size=3),
    "excerpt": st.just("e" * 5001),
    "screenshot": st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode())
    | st.text(max_size=40) | st.just(SHOT[:-8]),
    "screenshot_sha256": st.text(max_size=64) | st.just("0" * 64),
}
CAPTURE = corrupted(VALID_CAPTURE, WRONG_CAPTURE)
CAPTURES_BODY = st.one_of(
    CAPTURE, CAPTURE, st.lists(CAPTURE | JSON, max_size=5),
    st.fixed_dictionaries({"captures": st.lists(CAPTURE, max_size=5)}), JSON,
    st.just([{}] * 1001))


@st.composite
def capture_requests(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["json", "json", "json", "form", "bytes", "other type"]))
    if kind == "json":
        return {"json": draw(CAPTURES_BODY)}
    if kind == "form":  # every field a part (multipart even without a file)
        fields = draw(CAPTURE)
        fields.pop("screenshot", None)
        parts: list[tuple[str, Any]] = [(k, (None, v if isinstance(v, str) else json.dumps(v)))
                                        for k, v in fields.items() if v is not None]
        if draw(st.booleans()):
            name = draw(st.sampled_from(["screenshot", "screenshot", "other"]))
            data = draw(st.sampled_from([png(3, 3, (0, 0, 0)), b""]) | st.binary(max_size=64))
            parts.append((name, ("shot.png", data, draw(st.sampled_from(["image/png",
                                                                          "text/plain"])))))
        return {"files": parts or [("product", (None, ""))]}
    headers = {"content-type": "text/csv"} if kind == "other type" else {
        "content-type": "application/json"}
    return {"content": draw(st.binary(max_size=200)), "headers": headers}


IDS = st.sampled_from(["P1", "P2", "P3", "T1", "G1", "C1", "C2", "ORG1"])
NAME = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
               max_size=20)
GRADES = st.sampled_from(["05", "R", "11", "14", "15", "PK", ""])
STATUS = st.sampled_from(["active", "active", "tobedeleted"])
# Per file, each column's valid values (some deliberately not: unknown roles, grades, dates).
ROSTER_FILES: dict[str, dict[str, st.SearchStrategy[str]]] = {
    "users.csv": {"sourcedId": IDS, "status": STATUS, "enabledUser": st.just("true"),
                  "role": st.sampled_from(["student", "teacher", "guardian", "administrator",
                                           "aide", "superhero"]),
                  "username": st.just(""), "givenName": NAME, "familyName": NAME,
                  "email": st.sampled_from(["", "a@school.example"]),
                  "agentSourcedIds": st.sampled_from(["", "P1", "G1", "P1,P2"]),
                  "grades": GRADES},
    "classes.csv": {"sourcedId": IDS, "status": STATUS, "title": NAME, "grades": GRADES,
                    "classType": st.sampled_from(["homeroom", "scheduled"]),
                    "schoolSourcedId": IDS},
    "enrollments.csv": {"sourcedId": IDS, "status": STATUS, "classSourcedId": IDS,
                        "schoolSourcedId": IDS, "userSourcedId": IDS,
                        "role": st.sampled_from(["student", "teacher"]),
                        "primary": st.sampled_from(["true", "false"])},
    "demographics.csv": {"sourcedId": IDS, "status": STATUS,
                         "birthDate": st.sampled_from(["2015-05-01", "2015-02-30", ""])},
    "orgs.csv": {"sourcedId": IDS, "status": STATUS, "name": NAME, "type": st.just("school"),
                 "identifier": st.just("100009")},
    "roles.csv": {"sourcedId": IDS, "userSourcedId": IDS, "roleType": st.sampled_from(
        ["primary", "secondary"]), "role": st.sampled_from(["student", "teacher"])},
}


def _table(columns: dict[str, st.SearchStrategy[str]]) -> st.SearchStrategy[list[list[str]]]:
    row = corrupted(columns, {}).map(lambda r: [str(r.get(c, "")) for c in columns])
    header = st.sampled_from([list(columns), list(columns), list(columns)[:3], ["x", "y"]])
    return st.tuples(header, st.lists(row, max_size=6)).map(lambda t: [t[0], *t[1]])


@st.composite
def roster_bundles(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["csv", "csv", "csv", "not csv", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if kind == "not csv":
            archive.writestr("f" + draw(st.text(max_size=12)), draw(st.binary(max_size=50)))
        else:
            names = draw(st.sets(st.sampled_from(sorted(ROSTER_FILES)), max_size=6))
            if draw(st.integers(0, 4)):
                names.add("users.csv")
            for name in sorted(names):
                text = io.StringIO()
                csv.writer(text).writerows(draw(_table(ROSTER_FILES[name])))
                data = text.getvalue().encode()
                archive.writestr(name, b"\xff\xfe" + data if draw(st.integers(0, 4)) == 0 else data)
    return out.getvalue()


def fuzz_ingest(fuzzer: Fuzzer, auths: dict[str, dict[str, str]],
                roster_auths: dict[str, dict[str, str]], cases: int, base_seed: int) -> None:
    """`cases` generated requests to each of the two endpoints."""
    # Mostly as the integrator the endpoints are for, so that most cases get past the door.
    names = ["integrator key", *auths]
    roster_names = list(roster_auths)
    common = settings(max_examples=cases, database=None, deadline=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))

    @seed(base_seed)
    @common
    @given(request=capture_requests(), auth=st.sampled_from(names), school=SCHOOLS)
    def captures(request: dict[str, Any], auth: str, school: str | None) -> None:
        headers = {**auths[auth], **request.pop("headers", {})}
        fuzzer.send("POST /integrations/captures", auth, headers, judge_http,
                    url="/integrations/captures", params=_school(school), **request)

    @seed(base_seed + 1)
    @common
    @given(bundle=roster_bundles(), auth=st.sampled_from(roster_names), school=SCHOOLS,
           mode=st.sampled_from(["delta", "delta", "full", "FULL", "", "sideways"]))
    def roster(bundle: bytes, auth: str, school: str | None, mode: str) -> None:
        fuzzer.send("POST /integrations/oneroster", auth, roster_auths[auth], judge_http,
                    url="/integrations/oneroster", content=bundle,
                    params={**_school(school), "mode": mode})

    captures()
    roster()


def _school(school: str | None) -> dict[str, str]:
    return {} if school is None else {"schoolId": school}
