"""Retention's contract: the LA's policy and schools' overrides (compliance), and the purge
every owning service runs and logs (capture, incident answer `PurgeDue` and `ListPurges`)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.compliance.domain.events import MAX_MONTHS, RecordType
from services.directory.domain.commands import Slug
from shared.pages import Page, Paging

Months = Field(ge=1, le=MAX_MONTHS)


class Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SetRetentionPolicy(Request):
    """The LA's periods (every record type) and the types its schools may set."""

    months: dict[RecordType, int] = Field(min_length=1)
    school_may_set: list[RecordType] = []


class SetRetentionOverride(Request):
    school_id: str = Slug
    record_type: RecordType
    months: int | None = Field(default=None, ge=1, le=MAX_MONTHS,
                               description="None: back to the LA's period")


class GetRetention(Request):
    school_id: str = Slug


class RetentionPeriod(BaseModel):
    record_type: RecordType
    months: int
    set_by_school: bool
    school_may_set: bool


class RetentionView(BaseModel):
    school_id: str
    periods: list[RetentionPeriod]  # empty: the LA has set no policy, nothing is purged


class PurgeDue(Request):
    """Purge what is due as of `as_of` (now when not given; never ahead of time). The service's
    timer runs it every hour."""

    as_of: AwareDatetime | None = None


class PurgeReport(BaseModel):
    records: int  # records something was removed from
    checked: int  # records that were due


class ListPurges(Request, Paging):
    school_id: str = Slug


class PurgeEntry(BaseModel):
    record_id: str  # the capture or incident
    fields: list[str]  # what was removed
    removed_on: date
    reason: str
    recorded_at: datetime


PurgePage = Page[PurgeEntry]
