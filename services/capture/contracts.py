"""The capture service's public contract: requests (commands and queries) and the views it
answers with. Ingest items are validated one by one in the service, so that a bad item gets
its own reason and the good ones in the batch are kept."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.capture.domain.events import Category, Grade, Match, Priority

SERVICE = "capture"
MAX_BATCH = 1000
MAX_PHRASES_PER_REQUEST = 2000
MAX_SCREENSHOT_BYTES = 2 * 1024 * 1024
# Replies stay under NATS's 1 MB message limit: larger images are fetched from the store.
INLINE_SCREENSHOT_BYTES = 512 * 1024
Slug = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
CaptureId = Field(pattern=r"^[0-9a-f]{32}$")


class Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class CaptureIn(Request):
    """One capture as a monitoring product sends it."""

    product: str = Field(min_length=1, max_length=100)
    product_capture_id: str = Field(min_length=1, max_length=200)
    captured_at: AwareDatetime
    machine: str = Field(min_length=1, max_length=200)
    username: str = Field(min_length=1, max_length=200)
    trigger: str = Field(min_length=1, max_length=500)
    product_category: str | None = Field(default=None, max_length=100)
    product_severity: int | None = Field(default=None, ge=1, le=5)
    excerpt: str = Field(default="", max_length=5000)
    url: str | None = Field(default=None, max_length=2000)
    screenshot: str | None = Field(default=None, description="base64 PNG or JPEG, <= 2 MB")
    screenshot_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$",
        description="instead of `screenshot`: an image already put in the screenshot store")

    @model_validator(mode="after")
    def _one_screenshot(self) -> CaptureIn:
        if self.screenshot and self.screenshot_sha256:
            raise ValueError("send screenshot or screenshot_sha256, not both")
        return self


class IngestCaptures(Request):
    school_id: str = Slug
    captures: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BATCH)


class ItemResult(BaseModel):
    index: int
    status: Literal["accepted", "duplicate", "rejected"]
    product_capture_id: str | None = None
    capture_id: str | None = None
    reason: str | None = None
    field: str | None = None


class IngestResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    results: list[ItemResult]


class ListQueue(Request):
    school_id: str | None = None
    category: Category | None = None
    min_severity: int | None = Field(default=None, ge=1, le=5)
    product: str | None = Field(default=None, max_length=100)
    captured_before: AwareDatetime | None = None
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=200)


class CaptureRef(Request):
    school_id: str = Slug
    capture_id: str = CaptureId


class ClaimCapture(CaptureRef):
    pass


class ReleaseCapture(CaptureRef):
    pass


class GetCapture(CaptureRef):
    pass


class ViewScreenshot(CaptureRef):
    pass


class GradeCapture(CaptureRef):
    grade: Grade
    notes: str = Field(default="", max_length=5000)


class RegradeCapture(CaptureRef):
    grade: Grade
    reason: str = Field(max_length=2000)
    notes: str = Field(default="", max_length=5000)


class BulkFalsePositive(Request):
    captures: list[CaptureRef] = Field(min_length=1, max_length=200)
    notes: str = Field(default="", max_length=5000)


class ListSchoolConcerns(Request):
    school_id: str = Slug
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=200)


class ListScreenshotViews(Request):
    school_id: str = Slug
    capture_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=100, ge=1, le=500)


class PhraseIn(Request):
    phrase: str = Field(min_length=2, max_length=100)
    category: Category
    severity: int = Field(ge=1, le=5)


class AddLibraryPhrases(Request):
    # One event per request: kept well under NATS's 1 MB message limit.
    phrases: list[PhraseIn] = Field(min_length=1, max_length=MAX_PHRASES_PER_REQUEST)


class RemoveLibraryPhrase(Request):
    phrase: str = Field(min_length=2, max_length=100)


class AddSchoolPhrase(PhraseIn):
    school_id: str = Slug
    reason: str = Field(max_length=500)


class ExcludeSchoolPhrase(Request):
    school_id: str = Slug
    phrase: str = Field(min_length=2, max_length=100)
    reason: str = Field(max_length=500)


class ListPhrases(Request):
    school_id: str | None = Field(default=None, description="None: the LA library alone")


class PhraseView(BaseModel):
    phrase: str
    category: Category
    severity: int
    source: Literal["la", "school"]
    excluded_reason: str | None = None


class CaptureView(BaseModel):
    capture_id: str
    school_id: str
    product: str
    product_capture_id: str
    captured_at: datetime
    received_at: datetime
    machine: str
    username: str
    person_id: str | None = None  # the directory person the username resolved to
    person_name: str | None = None
    person_resolved: bool = False
    trigger: str
    product_category: str | None
    product_severity: int | None
    excerpt: str
    url: str | None
    has_screenshot: bool
    category: Category | None
    severity: int | None
    priority: Priority | None
    matches: list[Match]
    claimed_by: str | None
    claimed_until: datetime | None
    grade: Grade | None
    graded_by: str | None
    graded_at: datetime | None
    notes: str | None
    escalated_at: datetime | None
    text_removed_on: date | None = None
    screenshot_removed_on: date | None = None
    retention: str | None = Field(
        default=None, description='what retention removed, e.g. "text removed under retention '
                                  'on 2027-03-01"')


class QueuePage(BaseModel):
    items: list[CaptureView]
    total: int
    offset: int
    limit: int


class HistoryEntry(BaseModel):
    type: str
    at: datetime
    version: int
    data: dict[str, Any]


class CaptureDetail(BaseModel):
    capture: CaptureView
    history: list[HistoryEntry]


class BulkItem(BaseModel):
    capture_id: str
    ok: bool
    reason: str | None = None


class Screenshot(BaseModel):
    """`data_base64` is None above INLINE_SCREENSHOT_BYTES: the caller (the gateway), now that
    the view is authorised and recorded, reads the bytes from the store by `sha256`."""

    capture_id: str
    sha256: str
    content_type: str
    size: int
    data_base64: str | None


class ScreenshotViewEntry(BaseModel):
    capture_id: str
    school_id: str
    viewer: str
    viewer_name: str
    viewer_school: str
    roles: list[str]
    viewed_at: datetime


class ScreenshotViewsPage(BaseModel):
    items: list[ScreenshotViewEntry]
    total: int


class ImportLibraryCsv(Request):
    """LA staff: phrases from a CSV with the columns phrase, category, severity (others, such
    as an export's, are ignored). Kept under NATS's 1 MB message limit."""

    csv: str = Field(min_length=1, max_length=800_000)


class ExportLibraryCsv(Request):
    school_id: str | None = Field(default=None, description="with that school's changes")


class CsvRowProblem(BaseModel):
    row: int
    phrase: str | None
    field: str | None
    reason: str


class LibraryImport(BaseModel):
    added: int  # new or changed phrases
    unchanged: int
    rejected: list[CsvRowProblem]
    phrases: int  # the library's size after the import


class LibraryCsv(BaseModel):
    csv: str
