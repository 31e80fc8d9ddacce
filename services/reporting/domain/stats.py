"""Small numeric helpers the reports share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from statistics import median

from pydantic import BaseModel, ConfigDict


class Turnaround(BaseModel):
    """Durations in minutes (rounded to 0.1): how many, the median and the slowest."""

    model_config = ConfigDict(frozen=True)

    count: int = 0
    median_minutes: float | None = None
    max_minutes: float | None = None


def turnaround(pairs: Iterable[tuple[datetime, datetime | None]]) -> Turnaround:
    minutes = [(end - start).total_seconds() / 60 for start, end in pairs if end is not None]
    if not minutes:
        return Turnaround()
    return Turnaround(count=len(minutes), median_minutes=round(median(minutes), 1),
                      max_minutes=round(max(minutes), 1))


def tally(values: Iterable[str | int | None]) -> dict[str, int]:
    """Counts by value, sorted by value; a missing value counts as "unclassified"."""
    counts = Counter("unclassified" if v is None else str(v) for v in values)
    return dict(sorted(counts.items()))
