"""The keyword library as CSV: reading an import row by row (a bad row gets its reason, the
good ones are kept) and writing an export, with each school change's audited reason. Pure:
no I/O here."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from services.capture.domain.events import Phrase
from services.capture.domain.library import normalise

REQUIRED = ("phrase", "category", "severity")
EXPORT_COLUMNS = ("phrase", "category", "severity", "source", "status", "reason", "by", "at")
MAX_ROWS = 10_000


@dataclass(frozen=True)
class RowProblem:
    row: int  # the line in the file (the header is line 1)
    phrase: str | None
    field: str | None
    reason: str


@dataclass(frozen=True)
class SchoolChange:
    """A school's own phrase or exclusion, with who made it, when and why."""

    phrase: Phrase
    status: str  # "active" (the school's own) | "excluded" (an LA phrase switched off)
    reason: str
    by: str
    at: datetime


def read(text: str) -> tuple[list[Phrase], list[RowProblem]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        columns = [c.strip().lower() for c in reader.fieldnames or []]
    except csv.Error as exc:  # e.g. a lone carriage return in the header (found by fuzzing)
        return [], [RowProblem(1, None, None, f"unreadable CSV header: {exc}")]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return [], [RowProblem(1, None, missing[0],
                               f"the header needs the columns {', '.join(REQUIRED)}; "
                               f"missing: {', '.join(missing)}")]
    reader.fieldnames = columns
    good: dict[str, tuple[int, Phrase]] = {}
    problems: list[RowProblem] = []
    try:
        for line, row in enumerate(reader, start=2):
            if line - 1 > MAX_ROWS:
                problems.append(RowProblem(line, None, None,
                                           f"more than {MAX_ROWS} rows: the rest were not read"))
                break
            problem = _row(line, row, good)
            if problem is not None:
                problems.append(problem)
    except csv.Error as exc:  # e.g. a NUL byte: the file is not text CSV from here on
        problems.append(RowProblem(reader.line_num, None, None, f"unreadable CSV: {exc}"))
    return [p for _, p in good.values()], problems


def _row(line: int, row: dict[str | None, str | list[str] | None],
         good: dict[str, tuple[int, Phrase]]) -> RowProblem | None:
    if row.get(None):
        return RowProblem(line, None, None, "more values than columns")
    values = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)
              and not isinstance(v, list)}
    text = values.get("phrase") or None
    if not any(values.values()):
        return RowProblem(line, None, None, "an empty row")
    if values.get("source", "la") not in ("", "la"):
        return RowProblem(line, text, "source", "a school's own phrase: import it for the "
                                                "school, not into the LA library")
    try:
        phrase = Phrase.model_validate({k: values.get(k) for k in REQUIRED})
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else None
        return RowProblem(line, text, field, f"{field}: {err['msg']}")
    key = normalise(phrase.phrase)
    if not 2 <= len(key) <= 100:
        return RowProblem(line, text, "phrase", "a phrase is 2 to 100 characters")
    if not 1 <= phrase.severity <= 5:
        return RowProblem(line, text, "severity", "severity is 1 (low) to 5 (urgent)")
    if key in good:
        return RowProblem(line, text, "phrase", f"the same phrase as line {good[key][0]}")
    good[key] = (line, phrase.model_copy(update={"phrase": key}))
    return None


def write(la: list[Phrase], school: list[SchoolChange]) -> str:
    """The LA's phrases (each marked excluded where the school switched it off, with why), then
    the school's own phrases."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    off = {c.phrase.phrase: c for c in school if c.status == "excluded"}
    for p in sorted(la, key=lambda p: (p.category.value, -p.severity, p.phrase)):
        change = off.get(p.phrase)
        writer.writerow([p.phrase, p.category.value, p.severity, "la",
                         "excluded" if change else "active", *_audit(change)])
    for c in sorted((c for c in school if c.status == "active"), key=lambda c: c.phrase.phrase):
        writer.writerow([c.phrase.phrase, c.phrase.category.value, c.phrase.severity, "school",
                         "active", *_audit(c)])
    return out.getvalue()


def _audit(change: SchoolChange | None) -> list[str]:
    if change is None:
        return ["", "", ""]
    return [change.reason, change.by, change.at.isoformat()]
