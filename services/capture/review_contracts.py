"""The headteacher's weekly review in the capture service's contract."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.capture.contracts import CaptureView, Request, Slug


class RecordWeeklyReview(Request):
    school_id: str = Slug
    findings: str = Field(max_length=5000)
    captures_seen: list[str] = Field(default=[], max_length=1000)


class ReviewWorklist(Request):
    school_id: str = Slug
    limit: int = Field(default=100, ge=1, le=200)


class ListReviews(Request):
    school_id: str = Slug
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1, le=200)


class OverdueReviews(Request):
    pass


class ReviewView(BaseModel):
    school_id: str
    by: str
    by_name: str
    at: datetime
    period_from: datetime
    findings: str
    captures_seen: list[str]


class Worklist(BaseModel):
    """What is new for the headteacher: the captures moderated since the last review."""

    school_id: str
    last_review: ReviewView | None
    since: datetime
    overdue: bool
    captures: list[CaptureView]
    total: int


class ReviewPage(BaseModel):
    items: list[ReviewView]
    total: int


class OverdueSchool(BaseModel):
    school_id: str
    last_review_at: datetime | None  # None: never reviewed
