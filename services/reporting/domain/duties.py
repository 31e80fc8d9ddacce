"""The compliance service's figures in the reports: filtering-log volumes over a period, and
what is overdue at a moment (the annual filtering review, the policy's review, staff
training), worked out from the facts as the compliance service works them out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from services.compliance.domain.events import TrainingKind
from services.compliance.domain.training import standing
from services.reporting.domain.ledger import School
from services.reporting.domain.periods import Period


@dataclass(frozen=True)
class FilteringFigures:
    blocked: int
    allowed: int
    blocked_by_category: dict[str, int]


def filtering_in(s: School, period: Period) -> FilteringFigures:
    """The summaries whose period ended within `period`."""
    within = [f for f in s.filtering.values() if period.holds(f.period_end)]
    by: Counter[str] = Counter()
    for f in within:
        by.update({c: b for c, (b, _) in f.by_category.items() if b})
    return FilteringFigures(sum(f.blocked for f in within), sum(f.allowed for f in within),
                            dict(sorted(by.items())))


def training_overdue(s: School, at: datetime) -> int:
    """Current staff whose training is overdue at `at` (no induction, or a lapsed year)."""
    staff = [p.person_id for p in s.people.values() if p.kind == "staff" and not p.left]
    return sum(standing([(TrainingKind(k), d.date()) for k, d in s.training.get(pid, [])],
                        at.date()).overdue for pid in staff)


def provision_overdue(s: School, at: datetime) -> bool:
    return s.provision_due is None or s.provision_due < at


def policy_overdue(s: School, at: datetime) -> bool:
    return s.policy_due is None or s.policy_due < at
