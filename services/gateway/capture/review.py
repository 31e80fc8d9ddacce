"""The school's side of moderation through GraphQL: daily digests, and the headteacher's
weekly review (what is new, recording it; for the LA, the schools overdue)."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from services.capture.alert_contracts import DigestPage
from services.capture.contracts import SERVICE
from services.capture.review_contracts import ReviewView, Worklist
from services.gateway.capture.alerts import AlertRecipient
from services.gateway.capture.library import LibraryMutation, LibraryQuery
from services.gateway.capture.types import Capture
from services.gateway.context import Info, signed_in


@strawberry.type(description="A school's daily digest of the captures graded below urgent.")
class Digest:
    school_id: str
    day: date
    counts: JSON = strawberry.field(description="grade -> captures graded that day")
    concerns: list[str] = strawberry.field(description="captures graded concern or violation")
    open_alerts: int
    recipients: list[AlertRecipient]
    sent_at: datetime


@strawberry.type
class WeeklyReview:
    school_id: str
    by: str
    by_name: str
    at: datetime
    period_from: datetime
    findings: str
    captures_seen: list[str]

    @classmethod
    def of(cls, view: ReviewView) -> WeeklyReview:
        return cls(**view.model_dump())


@strawberry.type(description="What is new for the headteacher since the last review.")
class ReviewWorklist:
    school_id: str
    last_review: WeeklyReview | None
    since: datetime
    overdue: bool
    captures: list[Capture]
    total: int


@strawberry.type
class OverdueReview:
    school_id: str
    last_review_at: datetime | None = strawberry.field(description="null: never reviewed")


@strawberry.type
class ReviewQuery(LibraryQuery):  # the alerts' and the library's fields too
    @strawberry.field(extensions=signed_in(), description="A school's daily digests.")
    async def digests(self, info: Info, school_id: str, offset: int = 0,
                      limit: int = 30) -> list[Digest]:
        page = DigestPage.model_validate(await info.context.call(
            SERVICE, "ListDigests", {"school_id": school_id, "offset": offset, "limit": limit}))
        return [Digest(**{**d.model_dump(), "recipients": [
            AlertRecipient(person_id=r.person_id, name=r.name, role=r.role)
            for r in d.recipients]}) for d in page.items]

    @strawberry.field(extensions=signed_in(),
                      description="The captures moderated since the last weekly review.")
    async def review_worklist(self, info: Info, school_id: str) -> ReviewWorklist:
        w = Worklist.model_validate(await info.context.call(
            SERVICE, "ReviewWorklist", {"school_id": school_id}))
        return ReviewWorklist(
            school_id=w.school_id, since=w.since, overdue=w.overdue, total=w.total,
            last_review=WeeklyReview.of(w.last_review) if w.last_review else None,
            captures=[Capture._from(c) for c in w.captures])

    @strawberry.field(extensions=signed_in(), description="A school's weekly reviews.")
    async def weekly_reviews(self, info: Info, school_id: str, offset: int = 0,
                             limit: int = 20) -> list[WeeklyReview]:
        page = await info.context.call(SERVICE, "ListReviews", {
            "school_id": school_id, "offset": offset, "limit": limit})
        return [WeeklyReview.of(ReviewView.model_validate(r)) for r in page["items"]]

    @strawberry.field(extensions=signed_in(),
                      description="LA staff: schools whose last weekly review is over a week old.")
    async def overdue_reviews(self, info: Info) -> list[OverdueReview]:
        found = await info.context.call(SERVICE, "OverdueReviews", {})
        return [OverdueReview(**o) for o in found]


@strawberry.type
class ReviewMutation(LibraryMutation):
    @strawberry.mutation(extensions=signed_in(),
                         description="The headteacher records this week's review.")
    async def record_weekly_review(self, info: Info, school_id: str, findings: str,
                                   captures_seen: list[str] | None = None) -> WeeklyReview:
        done = await info.context.call(SERVICE, "RecordWeeklyReview", {
            "school_id": school_id, "findings": findings, "captures_seen": captures_seen or []})
        return WeeklyReview.of(ReviewView.model_validate(done))
