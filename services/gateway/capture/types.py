"""GraphQL types of the capture service, built from its contract views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from services.capture.contracts import CaptureDetail as CaptureDetailView
from services.capture.contracts import CaptureView, IngestResult, QueuePage
from services.capture.contracts import ScreenshotViewsPage as ViewsPage
from services.gateway.capture.enums import Category, Grade, Priority


@strawberry.type
class PhraseMatch:
    phrase: str
    category: Category
    severity: int
    source: str


@strawberry.type
class Capture:
    capture_id: str
    school_id: str
    product: str
    product_capture_id: str
    captured_at: datetime
    received_at: datetime
    machine: str
    username: str
    person_id: str | None = strawberry.field(
        description="the school's person the username resolved to; null while unresolved")
    person_name: str | None
    person_resolved: bool
    trigger: str
    product_category: str | None
    product_severity: int | None
    excerpt: str
    url: str | None
    has_screenshot: bool
    category: Category | None
    severity: int | None
    priority: Priority | None
    matches: list[PhraseMatch]
    claimed_by: str | None
    claimed_until: datetime | None
    grade: Grade | None
    graded_by: str | None
    graded_at: datetime | None
    notes: str | None
    escalated_at: datetime | None
    text_removed_on: date | None = None
    screenshot_removed_on: date | None = None
    retention: str | None = strawberry.field(
        default=None, description='what retention removed and when, e.g. "text removed under '
                                  'retention on 2027-03-01"')

    @classmethod
    def of(cls, data: Any) -> Capture:
        return cls._from(CaptureView.model_validate(data))

    @classmethod
    def _from(cls, view: CaptureView) -> Capture:
        return cls(**view.model_dump(exclude={"matches"}),
                   matches=[PhraseMatch(**m.model_dump()) for m in view.matches])


@strawberry.type
class CapturePage:
    items: list[Capture]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, data: Any) -> CapturePage:
        page = QueuePage.model_validate(data)
        return cls(items=[Capture._from(c) for c in page.items], total=page.total,
                   offset=page.offset, limit=page.limit)


@strawberry.type(description="One event of a capture's history.")
class CaptureEvent:
    type: str
    at: datetime
    version: int
    data: JSON


@strawberry.type
class CaptureDetail:
    capture: Capture
    history: list[CaptureEvent]

    @classmethod
    def of(cls, data: Any) -> CaptureDetail:
        view = CaptureDetailView.model_validate(data)
        return cls(capture=Capture._from(view.capture),
                   history=[CaptureEvent(**h.model_dump()) for h in view.history])


@strawberry.type
class IngestItemResult:
    index: int
    status: str = strawberry.field(description="accepted, duplicate or rejected")
    product_capture_id: str | None
    capture_id: str | None
    reason: str | None
    field: str | None


@strawberry.type
class IngestReport:
    accepted: int
    duplicates: int
    rejected: int
    results: list[IngestItemResult]

    @classmethod
    def of(cls, data: Any) -> IngestReport:
        r = IngestResult.model_validate(data)
        return cls(accepted=r.accepted, duplicates=r.duplicates, rejected=r.rejected,
                   results=[IngestItemResult(**i.model_dump()) for i in r.results])


@strawberry.type
class BulkGradeResult:
    capture_id: str
    ok: bool
    reason: str | None


@strawberry.type(description="A screenshot; every fetch is recorded in the audit trail.")
class ScreenshotImage:
    capture_id: str
    sha256: str
    content_type: str
    size: int
    data_base64: str


@strawberry.type
class ScreenshotViewRecord:
    capture_id: str
    school_id: str
    viewer: str
    viewer_name: str
    viewer_school: str
    roles: list[str]
    viewed_at: datetime


@strawberry.type
class ScreenshotViewsPage:
    items: list[ScreenshotViewRecord]
    total: int

    @classmethod
    def of(cls, data: Any) -> ScreenshotViewsPage:
        page = ViewsPage.model_validate(data)
        return cls(items=[ScreenshotViewRecord(**v.model_dump()) for v in page.items],
                   total=page.total)


@strawberry.type
class KeywordPhrase:
    phrase: str
    category: Category
    severity: int
    source: str
    excluded_reason: str | None
