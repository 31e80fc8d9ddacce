"""A OneRoster 1.2 CSV bundle (zip) as roster rows, with every row it cannot use rejected.

users.csv gives the people (`role`, or the primary role in roles.csv), demographics.csv their
dates of birth, enrollments.csv + classes.csv a pupil's class (the homeroom first), and a
pupil's year group comes from `grades` (UK years: R/KG = Reception = 0, 1-14, Y5). Parents
and guardians are linked to pupils through `agentSourcedIds`, from either side.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.directory.integrations.contracts import RowRejection
from shared.errors import InvalidInput

STAFF = {"teacher": ["teacher"], "administrator": [], "aide": [], "proctor": []}
PARENTS = {"parent", "guardian", "relative"}
MAX_BYTES = 100 * 1024 * 1024  # uncompressed: a zip bomb stops here


@dataclass
class Parsed:
    people: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    classes: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[RowRejection] = field(default_factory=list)


Rows = list[tuple[str, dict[str, str]]]


def parse(bundle: bytes) -> Parsed:
    files = _read(bundle)
    if "users.csv" not in files:
        raise InvalidInput("the bundle has no users.csv")
    out = Parsed()
    classes = {r.get("sourcedId", ""): r for _, r in files.get("classes.csv", [])}
    users = [(label, r) for label, r in files["users.csv"] if _active(r)]
    roles = {r.get("userSourcedId", ""): r.get("role", "") for _, r in files.get("roles.csv", [])
             if r.get("roleType", "primary") == "primary"}
    births = {r.get("sourcedId", ""): r.get("birthDate", "")
              for _, r in files.get("demographics.csv", [])}
    known = {r.get("sourcedId", "") for _, r in users}
    homes = _homerooms(files.get("enrollments.csv", []), classes, known, out)
    out.classes = _classes(files.get("classes.csv", []), files.get("enrollments.csv", []),
                           known, out)
    children = _children(users, roles)
    for label, user in users:
        mis = user.get("sourcedId", "")
        try:
            row = _person(user, roles.get(mis), births.get(mis), homes.get(mis), classes,
                          children.get(mis, []))
        except ValueError as exc:
            out.rejected.append(RowRejection(row=label, mis_id=mis or None, reason=str(exc)))
            continue
        out.people.append(row)
        out.labels.append(label)
    return out


def _read(bundle: bytes) -> dict[str, Rows]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(bundle))
    except zipfile.BadZipFile:
        raise InvalidInput("the upload is not a zip file") from None
    with archive:
        if sum(i.file_size for i in archive.infolist()) > MAX_BYTES:
            raise InvalidInput("the bundle is too large")
        return {info.filename.rsplit("/", 1)[-1]: _rows(info.filename, archive.read(info))
                for info in archive.infolist() if info.filename.endswith(".csv")}


def _rows(name: str, data: bytes) -> Rows:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} is not UTF-8") from None
    short = name.rsplit("/", 1)[-1]
    reader = csv.DictReader(io.StringIO(text))
    try:
        return [(f"{short}:{reader.line_num}", {k.strip(): (v or "").strip()
                                                for k, v in r.items() if k is not None})
                for r in reader]
    except csv.Error as exc:  # e.g. a field over the csv module's 128 KB limit
        raise InvalidInput(f"{short} line {reader.line_num}: {exc}") from None


def _active(row: dict[str, str]) -> bool:
    return row.get("status", "active").lower() != "tobedeleted"


def _homerooms(enrollments: Rows, classes: dict[str, dict[str, str]], known: set[str],
               out: Parsed) -> dict[str, str]:
    """Each pupil's class id: a homeroom if they have one, else their first class."""
    found: dict[str, list[str]] = defaultdict(list)
    for label, row in enrollments:
        if not _active(row) or row.get("role", "student") != "student":
            continue
        user, cls = row.get("userSourcedId", ""), row.get("classSourcedId", "")
        if user not in known:
            out.rejected.append(RowRejection(row=label, reason=f"unknown user {user}"))
        else:
            found[user].append(cls)
    return {user: next((c for c in ids if classes.get(c, {}).get("classType") == "homeroom"),
                       ids[0]) for user, ids in found.items()}


def _classes(classes: Rows, enrollments: Rows, known: set[str],
             out: Parsed) -> list[dict[str, Any]]:
    """The classes as records, with their teachers."""
    teachers: dict[str, set[str]] = defaultdict(set)
    for _, row in enrollments:
        if _active(row) and row.get("role") == "teacher" and row.get("userSourcedId") in known:
            teachers[row.get("classSourcedId", "")].add(row["userSourcedId"])
    found = []
    for label, cls in classes:
        mis = cls.get("sourcedId", "")
        try:
            if not mis or not cls.get("title"):
                raise ValueError("a class needs a sourcedId and a title")
            year = _year(cls["grades"]) if cls.get("grades") else None
        except ValueError as exc:
            out.rejected.append(RowRejection(row=label, mis_id=mis or None, reason=str(exc)))
            continue
        found.append({"mis_id": mis, "name": cls["title"], "year_group": year,
                      "teachers": sorted(teachers[mis])})
    return found


def _children(users: Rows, roles: dict[str, str]) -> dict[str, list[str]]:
    """Parent id -> pupil ids, from agentSourcedIds on either side."""
    kinds = {u.get("sourcedId", ""): (u.get("role") or roles.get(u.get("sourcedId", ""), ""))
             for _, u in users}
    links: dict[str, set[str]] = defaultdict(set)
    for _, user in users:
        me = user.get("sourcedId", "")
        for agent in _list(user.get("agentSourcedIds")):
            if kinds.get(me) == "student":
                links[agent].add(me)
            elif kinds.get(me) in PARENTS:
                links[me].add(agent)
    return {parent: sorted(pupils) for parent, pupils in links.items()}


def _person(user: dict[str, str], role: str | None, birth: str | None, class_id: str | None,
            classes: dict[str, dict[str, str]], children: list[str]) -> dict[str, Any]:
    role = (user.get("role") or role or "").lower()
    row: dict[str, Any] = {"mis_id": user.get("sourcedId", ""),
                           "given_name": user.get("givenName", ""),
                           "family_name": user.get("familyName", "")}
    if user.get("email"):
        row["email"] = user["email"]
    if birth:
        row["date_of_birth"] = _date(birth)
    if role == "student":
        cls = classes.get(class_id or "")
        if class_id and cls is None:
            raise ValueError(f"unknown class {class_id}")
        grade = user.get("grades") or (cls or {}).get("grades", "")
        row |= {"kind": "pupil", "year_group": _year(grade)}
        if cls is not None:
            row["class_name"] = cls.get("title")
    elif role in STAFF:
        row |= {"kind": "staff", "roles": STAFF[role]}
    elif role in PARENTS:
        row |= {"kind": "parent", "guardian_of": children, "relationship": role}
    else:
        raise ValueError(f"unsupported role {role or '(none)'}")
    return row


def _date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"bad birthDate {text}") from None


def _year(grades: str) -> int:
    grade = (_list(grades) or [""])[0].upper()
    if grade in {"R", "KG", "RECEPTION"}:
        return 0
    match = re.fullmatch(r"(?:Y|YEAR\s*)?0*(\d{1,2})", grade)
    if match is None or int(match.group(1)) > 14:
        raise ValueError(f"unknown grade {grade or '(none)'}")
    return int(match.group(1))


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]
