"""The reporting service's public contract: queries and the views it answers with (the report
models themselves are in `domain/`). Commands are in `domain/commands.py`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.directory.domain.commands import Slug
from services.incident.domain.commands import TERM_PATTERN
from services.reporting.domain.events import ExportFormat
from services.reporting.domain.monthly import MonthlyReport
from services.reporting.domain.periods import MONTH_PATTERN

SERVICE = "reporting"


class Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class AsOf(Query):
    as_of: datetime | None = Field(default=None, description="what was known then; default "
                                                             "now")


class MonthlyReportQuery(AsOf):
    school_id: str = Slug
    month: str = Field(pattern=MONTH_PATTERN, description="e.g. 2026-10")


class GovernorsReportQuery(AsOf):
    school_id: str = Slug
    term: str = Field(pattern=TERM_PATTERN, description="e.g. 2026-autumn")


class LaOverviewQuery(AsOf):
    pass


class EmergingRisksQuery(AsOf):
    pass


class IssuedReports(Query):
    school_id: str | None = Field(default=None, max_length=64,
                                  description="one school; LA roles may leave it out")


class ReportJobQuery(Query):
    job_id: str = Field(max_length=40)


class ExportReport(Query):
    report_id: str = Field(max_length=120)
    format: ExportFormat


class IssuedReport(BaseModel):
    report_id: str
    school_id: str
    month: str
    as_of: datetime
    issued_at: datetime
    issued_by: str
    summary: dict[str, int]


class IssuedReportContent(IssuedReport):
    content: MonthlyReport


class ReportJob(BaseModel):
    job_id: str
    school_id: str
    month: str
    status: str
    progress: int
    step: str
    report_id: str | None = None
    error: str | None = None


class ExportFile(BaseModel):
    filename: str
    media_type: str
    content_base64: str
