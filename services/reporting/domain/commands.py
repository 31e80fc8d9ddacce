"""Reporting commands: pydantic models naming their school."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.directory.domain.commands import Slug
from services.reporting.domain.periods import MONTH_PATTERN


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class IssueMonthlyReport(Command):
    """On demand; the first-of-the-month timer issues the previous month's by itself."""

    school_id: str = Slug
    month: str = Field(pattern=MONTH_PATTERN, description="e.g. 2026-10")
    as_of: datetime | None = Field(default=None, description="default: now")
