"""OneRoster 1.2 CSV bundles for tests: a zip from {file name: rows}."""

from __future__ import annotations

import csv
import io
import zipfile

Table = list[list[str]]

USERS = ["sourcedId", "status", "enabledUser", "role", "username", "givenName", "familyName",
         "email", "agentSourcedIds", "grades"]
CLASSES = ["sourcedId", "status", "title", "grades", "classType", "schoolSourcedId"]
ENROLLMENTS = ["sourcedId", "status", "classSourcedId", "schoolSourcedId", "userSourcedId",
               "role", "primary"]
DEMOGRAPHICS = ["sourcedId", "status", "birthDate"]
ORGS = ["sourcedId", "status", "name", "type", "identifier"]
MANIFEST = ["propertyName", "value"]


def bundle(files: dict[str, Table]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in files.items():
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerows(rows)
            archive.writestr(name, text.getvalue())
    return out.getvalue()


def with_errors(org: str = "ORG1", drop: frozenset[str] | set[str] = frozenset()) -> bytes:
    """A small school's bundle with one of each deliberate error (see the e2e test); `drop`
    leaves users or classes out (by sourcedId)."""
    files = _with_errors(org)
    for name in ("users.csv", "classes.csv"):
        files[name] = [r for r in files[name] if r[0] not in drop]
    return bundle(files)


def _with_errors(org: str) -> dict[str, Table]:
    return {
        "manifest.csv": [MANIFEST, ["manifest.version", "1.0"], ["oneroster.version", "1.2"]],
        "orgs.csv": [ORGS, [org, "active", "Roster Primary", "school", "100009"]],
        "users.csv": [USERS,
                      ["P1", "active", "true", "student", "", "Ada", "Lovelace", "", "G1", "05"],
                      ["P2", "active", "true", "student", "", "Alan", "Turing", "", "", "R"],
                      ["P3", "active", "true", "student", "", "Bad", "Date", "", "", "04"],
                      ["P4", "active", "true", "student", "", "No", "Class", "", "", "04"],
                      ["T1", "active", "true", "teacher", "", "Grace", "Hopper",
                       "grace@school.example", "", ""],
                      ["T9", "active", "true", "teacher", "", "Twice", "Listed", "", "", ""],
                      ["T9", "active", "true", "administrator", "", "Twice", "Again", "", "", ""],
                      ["G1", "active", "true", "guardian", "", "Mary", "Lovelace", "", "P1", ""],
                      ["X1", "active", "true", "superhero", "", "Clark", "Kent", "", "", ""],
                      ["P5", "active", "true", "student", "", "Grade", "Less", "", "", "PK"],
                      ["P6", "tobedeleted", "true", "student", "", "Gone", "Away", "", "", "03"]],
        "classes.csv": [CLASSES, ["C5B", "active", "5B", "05", "homeroom", org],
                        ["CRA", "active", "RA", "R", "homeroom", org],
                        ["CX", "active", "Mystery", "Z9", "scheduled", org]],
        "enrollments.csv": [ENROLLMENTS,
                            ["E1", "active", "C5B", org, "P1", "student", "false"],
                            ["E2", "active", "CRA", org, "P2", "student", "false"],
                            ["E3", "active", "C9", org, "P4", "student", "false"],
                            ["E4", "active", "C5B", org, "T1", "teacher", "true"],
                            ["E5", "active", "C5B", org, "NOBODY", "student", "false"]],
        "demographics.csv": [DEMOGRAPHICS, ["P1", "active", "2015-05-01"],
                             ["P2", "active", "2020-09-09"], ["P3", "active", "2015-02-30"]],
    }


# The rows `with_errors()` must be refused for, exactly: (row, MIS id, reason).
WITH_ERRORS_REJECTED = {
    ("enrollments.csv:6", None, "unknown user NOBODY"),
    ("users.csv:4", "P3", "bad birthDate 2015-02-30"),
    ("users.csv:5", "P4", "unknown class C9"),
    ("users.csv:7", "T9", "duplicate id T9"),
    ("users.csv:8", "T9", "duplicate id T9"),
    ("users.csv:10", "X1", "unsupported role superhero"),
    ("users.csv:11", "P5", "unknown grade PK"),
    ("classes.csv:4", "CX", "unknown grade Z9"),
}
WITH_ERRORS_CREATED = ["P1", "P2", "T1", "G1"]
