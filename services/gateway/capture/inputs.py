"""Capture inputs. Field names match the service's contract, so they go over as they are."""

from __future__ import annotations

from datetime import datetime

import strawberry

from services.gateway.capture.enums import Category, Grade


@strawberry.input(description="One capture as a monitoring product sends it.")
class CaptureInput:
    product: str
    product_capture_id: str = strawberry.field(description="re-sending the same id is a no-op")
    captured_at: datetime
    machine: str
    username: str
    trigger: str
    product_category: str | None = None
    product_severity: int | None = strawberry.field(default=None, description="1-5")
    excerpt: str = ""
    url: str | None = None
    screenshot: str | None = strawberry.field(default=None,
                                              description="base64 PNG or JPEG, <= 2 MB")


@strawberry.input
class QueueFilter:
    school_id: str | None = None
    category: Category | None = None
    min_severity: int | None = None
    product: str | None = None
    captured_before: datetime | None = None


@strawberry.input
class CaptureRefInput:
    school_id: str
    capture_id: str


@strawberry.input
class PhraseInput:
    phrase: str
    category: Category
    severity: int


@strawberry.input
class GradeInput:
    school_id: str
    capture_id: str
    grade: Grade
    notes: str = ""
