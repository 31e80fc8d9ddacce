"""GraphQL of staff training, filtering-log summaries and compliance reminders: each resolver
is one RPC to the compliance service."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from services.compliance.contracts import (
    SERVICE,
    BatchResult,
    FilteringSummaryView,
    ReminderView,
    StaffTraining,
    TrainingView,
)
from services.gateway.compliance.enums import ReminderSubject, TrainingKind
from services.gateway.context import Context, Info, signed_in
from services.gateway.directory.inputs import body
from shared.claims import Scope


@strawberry.type(description="A member of staff's completed training.")
class TrainingRecord:
    record_id: str
    person_id: str
    name: str
    kind: TrainingKind
    completed_on: date
    provider: str
    evidence: str | None
    recorded_by: str
    recorded_at: datetime


@strawberry.type(description="Where a member of staff stands with training today.")
class StaffTrainingRow:
    school_id: str
    person_id: str
    name: str
    last_induction: date | None
    last_refresher: date | None
    due_on: date | None = strawberry.field(description="none: never trained, due now")
    overdue: bool
    reason: str | None


@strawberry.type
class BatchRow:
    index: int = strawberry.field(description="from 0, in the order sent")
    status: str = strawberry.field(description="accepted, duplicate or rejected")
    reason: str | None
    field: str | None
    ref: str | None = strawberry.field(description="the record id, or the product's "
                                                   "summary id")


@strawberry.type
class BatchReport:
    accepted: int
    duplicates: int
    rejected: int
    results: list[BatchRow]

    @classmethod
    def of(cls, data: Any) -> BatchReport:
        r = BatchResult.model_validate(data)
        return cls(accepted=r.accepted, duplicates=r.duplicates, rejected=r.rejected,
                   results=[BatchRow(**i.model_dump()) for i in r.results])


@strawberry.type
class FilteringCount:
    category: str
    blocked: int
    allowed: int


@strawberry.type
class FilteringUserCount(FilteringCount):
    username: str


@strawberry.type(description="A filtering product's summary of a school's requests.")
class FilteringSummary:
    summary_id: str
    product: str
    product_summary_id: str
    period_start: datetime
    period_end: datetime
    blocked: int
    allowed: int
    categories: list[FilteringCount]
    users: list[FilteringUserCount]
    received_at: datetime

    @classmethod
    def of(cls, data: Any) -> FilteringSummary:
        v = FilteringSummaryView.model_validate(data)
        return cls(**v.model_dump(exclude={"categories", "users"}),
                   categories=[FilteringCount(**c.model_dump()) for c in v.categories],
                   users=[FilteringUserCount(**u.model_dump()) for u in v.users])


@strawberry.type
class FilteringSummaryPage:
    items: list[FilteringSummary]
    total: int


@strawberry.type(description="A reminder told to the head and e-safety co-ordinator.")
class ComplianceReminder:
    reminder_id: str
    subject: ReminderSubject
    about: str
    due_on: date | None
    overdue: bool
    recipients: list[str]
    sent_at: datetime


@strawberry.input
class RecordTrainingInput:
    school_id: str
    person_id: str
    kind: TrainingKind
    completed_on: date
    provider: str
    evidence: str | None = None


@strawberry.input
class FilteringCountInput:
    category: str
    blocked: int
    allowed: int


@strawberry.input
class FilteringUserCountInput:
    username: str
    category: str
    blocked: int
    allowed: int


@strawberry.input(description="As the plain HTTP route /integrations/filtering takes it.")
class FilteringSummaryInput:
    product: str
    product_summary_id: str
    period_start: datetime
    period_end: datetime
    categories: list[FilteringCountInput]
    users: list[FilteringUserCountInput] = strawberry.field(default_factory=list)


async def ingest_summaries(ctx: Context, school_id: str, items: list[Any]) -> dict[str, Any]:
    ctx.caller.require_scope(school_id, Scope.FILTERING_WRITE)  # fast deny; the service too
    found: dict[str, Any] = await ctx.call(SERVICE, "IngestFilteringSummaries",
                                           {"school_id": school_id, "summaries": items})
    return found


@strawberry.type
class DutiesQuery:
    @strawberry.field(extensions=signed_in(), description="Newest first.")
    async def training_records(self, info: Info, school_id: str,
                               person_id: str | None = None) -> list[TrainingRecord]:
        found = await info.context.call(SERVICE, "ListTraining",
                                        {"school_id": school_id, "person_id": person_id})
        return [TrainingRecord(**TrainingView.model_validate(r).model_dump()) for r in found]

    @strawberry.field(extensions=signed_in(), description="The school's staff, overdue first.")
    async def training_status(self, info: Info, school_id: str,
                              overdue_only: bool = False) -> list[StaffTrainingRow]:
        found = await info.context.call(SERVICE, "TrainingStatus",
                                        {"school_id": school_id, "overdue_only": overdue_only})
        return [_staff(s) for s in found]

    @strawberry.field(extensions=signed_in(), description="LA roles: every school's staff "
                      "with training overdue.")
    async def la_training_overdue(self, info: Info) -> list[StaffTrainingRow]:
        return [_staff(s) for s in await info.context.call(SERVICE, "LaTrainingOverdue", {})]

    @strawberry.field(extensions=signed_in(), description="Newest period first.")
    async def filtering_summaries(self, info: Info, school_id: str, offset: int = 0,
                                  limit: int = 50) -> FilteringSummaryPage:
        found = await info.context.call(SERVICE, "ListFilteringSummaries",
                                        {"school_id": school_id, "offset": offset,
                                         "limit": limit})
        return FilteringSummaryPage(items=[FilteringSummary.of(s) for s in found["items"]],
                                    total=found["total"])

    @strawberry.field(extensions=signed_in(), description="Newest first.")
    async def compliance_reminders(self, info: Info, school_id: str) -> list[ComplianceReminder]:
        found = await info.context.call(SERVICE, "ListReminders", {"school_id": school_id})
        return [ComplianceReminder(**ReminderView.model_validate(r).model_dump())
                for r in found]


@strawberry.type
class DutiesMutation:
    @strawberry.mutation(extensions=signed_in(), description="Returns the record's id.")
    async def record_training(self, info: Info, input: RecordTrainingInput) -> str:
        return str((await info.context.call(SERVICE, "RecordTraining", body(input)))["record_id"])

    @strawberry.mutation(extensions=signed_in(), description="A CSV register: person_id or "
                         "email, kind, completed_on, provider, evidence (a header row first).")
    async def import_training(self, info: Info, school_id: str, csv: str) -> BatchReport:
        return BatchReport.of(await info.context.call(SERVICE, "ImportTraining",
                                                      {"school_id": school_id, "csv": csv}))

    @strawberry.mutation(extensions=signed_in(), description="An integrator key with "
                         "filtering:write; each summary accepted, duplicate or rejected.")
    async def ingest_filtering_summaries(self, info: Info, school_id: str,
                                         summaries: list[FilteringSummaryInput]) -> BatchReport:
        items = [body(s) for s in summaries]
        return BatchReport.of(await ingest_summaries(info.context, school_id, items))

    @strawberry.mutation(extensions=signed_in(), description="LA admins: send the reminders "
                         "due now rather than at the next hourly run; returns their ids.")
    async def send_compliance_reminders(self, info: Info) -> list[str]:
        return [str(r) for r in await info.context.call(SERVICE, "SendReminders", {})]


def _staff(data: Any) -> StaffTrainingRow:
    return StaffTrainingRow(**StaffTraining.model_validate(data).model_dump())
