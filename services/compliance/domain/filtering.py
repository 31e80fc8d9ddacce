"""Filtering-log summaries: each product summary is its own stream (named by the school, the
product and the product's summary id), so a re-sent summary is a duplicate and changes
nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.compliance.domain.events import Counts, FilteringSummaryReceived
from shared.decider import Decider
from shared.errors import InvalidInput
from shared.events import Event

CLOCK_SKEW = timedelta(minutes=5)  # a product's clock a little ahead of ours is not "future"
MAX_BATCH = 500
Count = Field(ge=0, le=1_000_000_000)
Name = Field(min_length=1, max_length=200)


class CountsIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    category: str = Name
    blocked: int = Count
    allowed: int = Count


class UserCountsIn(CountsIn):
    username: str = Name


class SummaryIn(BaseModel):
    """One summary as a product sends it (validated item by item)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    product: str = Field(min_length=1, max_length=60, description="e.g. netsweeper")
    product_summary_id: str = Field(min_length=1, max_length=120)
    period_start: datetime
    period_end: datetime
    categories: list[CountsIn] = Field(min_length=1, max_length=500)
    users: list[UserCountsIn] = Field(default=[], max_length=5000)

    @model_validator(mode="after")
    def _period(self) -> SummaryIn:
        if self.period_start.tzinfo is None or self.period_end.tzinfo is None:
            raise ValueError("period_start and period_end need a time zone")
        if self.period_end <= self.period_start:
            raise ValueError("period_end must come after period_start")
        if len({c.category for c in self.categories}) != len(self.categories):
            raise ValueError("a category is listed twice")
        return self


def summary_id_of(school_id: str, product: str, product_summary_id: str) -> str:
    return f"{school_id}:{product.lower()}:{product_summary_id}"


def received(school_id: str, item: SummaryIn, now: datetime) -> FilteringSummaryReceived:
    if item.period_end > now + CLOCK_SKEW:
        raise InvalidInput(f"period_end {item.period_end.isoformat()} is in the future",
                           field="period_end")
    return FilteringSummaryReceived(
        school_id=school_id, summary_id=summary_id_of(school_id, item.product,
                                                      item.product_summary_id),
        product=item.product.lower(), product_summary_id=item.product_summary_id,
        period_start=item.period_start, period_end=item.period_end,
        categories=[Counts(**c.model_dump()) for c in item.categories],
        users_held=len(item.users))


def decide(event: FilteringSummaryReceived, known: bool) -> list[Event]:
    return [] if known else [event]


def evolve(known: bool, event: Event) -> bool:
    return known or isinstance(event, FilteringSummaryReceived)


summary = Decider[FilteringSummaryReceived, bool]("filtering-summary", False, decide, evolve)
