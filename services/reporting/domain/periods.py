"""Report periods: a calendar month (`2026-10`) or a school term (`2026-autumn`, the incident
log's terms: autumn Sep-Dec, spring Jan-Mar, summer Apr-Aug)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from services.incident.domain.commands import TERM_PATTERN
from services.incident.queries import TERMS, term_range
from shared.errors import InvalidInput

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
SEASONS = ("spring", "summer", "autumn")  # in calendar order


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime  # inclusive
    end: datetime  # exclusive

    def holds(self, at: datetime) -> bool:
        return self.start <= at < self.end


def month(label: str) -> Period:
    if not re.match(MONTH_PATTERN, label):
        raise InvalidInput("a month is written YYYY-MM, e.g. 2026-10", field="month")
    y, m = int(label[:4]), int(label[5:])
    end = datetime(y + m // 12, m % 12 + 1, 1, tzinfo=UTC)
    return Period(label, datetime(y, m, 1, tzinfo=UTC), end)


def previous_month(label: str) -> str:
    y, m = int(label[:4]), int(label[5:])
    return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"


def month_of(at: datetime) -> str:
    return f"{at.year}-{at.month:02d}"


def term(label: str) -> Period:
    if not re.match(TERM_PATTERN, label):
        raise InvalidInput("a term is written YYYY-autumn|spring|summer", field="term")
    start, end = term_range(label)
    return Period(label, start, end)


def previous_term(label: str) -> str:
    year, season = label.split("-")
    i = SEASONS.index(season)
    return f"{int(year) - 1}-autumn" if i == 0 else f"{year}-{SEASONS[i - 1]}"


def term_of(at: datetime) -> str:
    season = next(s for s, (a, b) in TERMS.items() if a <= at.month < b)
    return f"{at.year}-{season}"
