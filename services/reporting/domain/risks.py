"""Emerging risks, the LA's early warning: a category or phrase whose captures rise sharply in
several schools at once. Rising in a school: this week's captures at least `MIN_COUNT` and at
least twice the mean of the four weeks before. Flagged: rising in `MIN_SCHOOLS` schools."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from services.reporting.domain.ledger import School
from services.reporting.domain.monthly import Frozen

WEEK = timedelta(days=7)
TRAILING_WEEKS = 4
MIN_COUNT = 3
FACTOR = 2.0
MIN_SCHOOLS = 3
IGNORED = frozenset({"unclassified", "gaming"})


class Evidence(Frozen):
    school_id: str
    this_week: int
    trailing_mean: float


class EmergingRisk(Frozen):
    kind: str  # "category" or "phrase"
    value: str
    schools: int
    this_week: int
    evidence: list[Evidence]


def window_start(at: datetime) -> datetime:
    return at - WEEK * (TRAILING_WEEKS + 1)


def emerging(schools: dict[str, School], at: datetime) -> list[EmergingRisk]:
    # (kind, value) -> school -> [this week, trailing weeks]
    counts: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0]))
    start = window_start(at)
    for s in schools.values():
        for c in s.captures.values():
            if not start < c.received_at <= at or c.category is None:
                continue
            slot = 0 if c.received_at > at - WEEK else 1
            keys = [("phrase", p) for p in set(c.phrases)]
            if c.category not in IGNORED:
                keys.append(("category", c.category))
            for key in keys:
                counts[key][s.school_id][slot] += 1
    risks = []
    for (kind, value), per_school in sorted(counts.items()):
        rising = [Evidence(school_id=school, this_week=now,
                           trailing_mean=round(before / TRAILING_WEEKS, 2))
                  for school, (now, before) in sorted(per_school.items())
                  if now >= MIN_COUNT and now >= FACTOR * before / TRAILING_WEEKS]
        if len(rising) >= MIN_SCHOOLS:
            risks.append(EmergingRisk(kind=kind, value=value, schools=len(rising),
                                      this_week=sum(e.this_week for e in rising),
                                      evidence=rising))
    return sorted(risks, key=lambda r: (-r.schools, -r.this_week, r.kind, r.value))
