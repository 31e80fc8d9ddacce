"""Retention's GraphQL types and inputs, built from the retention contract."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import strawberry

from services.compliance.domain.events import RecordType
from services.compliance.retention_contracts import PurgeEntry as PurgeEntryView
from services.compliance.retention_contracts import PurgePage, PurgeReport, RetentionView

strawberry.enum(RecordType, description="A kind of record with its own retention period "
                                        "(child-protection incidents: until the child is 25).")


@strawberry.enum(description="A service that keeps records and purges them under retention.")
class RecordKeeper(StrEnum):
    CAPTURE = "capture"
    INCIDENT = "incident"


@strawberry.type
class RetentionPeriod:
    record_type: RecordType
    months: int
    set_by_school: bool
    school_may_set: bool


@strawberry.type(description="The periods that apply at a school; none until the LA sets a "
                             "policy (nothing is purged without one).")
class Retention:
    school_id: str
    periods: list[RetentionPeriod]

    @classmethod
    def of(cls, data: Any) -> Retention:
        view = RetentionView.model_validate(data)
        return cls(school_id=view.school_id,
                   periods=[RetentionPeriod(**p.model_dump()) for p in view.periods])


@strawberry.type(description="One purge: what was removed from which record, when and why.")
class PurgeEntry:
    record_id: str
    fields: list[str]
    removed_on: date
    reason: str
    recorded_at: datetime


@strawberry.type
class PurgeLogPage:
    items: list[PurgeEntry]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, data: Any) -> PurgeLogPage:
        page = PurgePage.model_validate(data)
        return cls(items=[PurgeEntry(**PurgeEntryView.model_validate(i).model_dump())
                          for i in page.items], total=page.total, offset=page.offset,
                   limit=page.limit)


@strawberry.type
class PurgeRun:
    records: int = strawberry.field(description="records something was removed from")
    checked: int = strawberry.field(description="records that were due")

    @classmethod
    def of(cls, data: Any) -> PurgeRun:
        return cls(**PurgeReport.model_validate(data).model_dump())


@strawberry.input
class RetentionMonthsInput:
    record_type: RecordType
    months: int


@strawberry.input
class SetRetentionPolicyInput:
    months: list[RetentionMonthsInput]
    school_may_set: list[RecordType] = strawberry.field(default_factory=list)


@strawberry.input
class SetRetentionOverrideInput:
    school_id: str
    record_type: RecordType
    months: int | None = strawberry.field(default=None,
                                          description="null: back to the LA's period")
