"""Reporting events (facts, past tense). Type names are stable: they are stored forever.

An issued report's content stays in the reporting database; its events carry a reference
and summary numbers, never pupils' names."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from shared.events import Event
from shared.registry import registry


class ExportFormat(StrEnum):
    CSV = "csv"
    PDF = "pdf"


@registry.register
class MonthlyReportIssued(Event):
    type_name = "MonthlyReportIssued"
    report_id: str
    school_id: str
    month: str
    as_of: datetime
    issued_by: str
    scheduled: bool  # by the first-of-the-month timer, or on demand
    summary: dict[str, int]


@registry.register
class MonthlyReportNotified(Event):
    """The headteacher is told a report is ready: the UI and mail pick this up."""

    type_name = "MonthlyReportNotified"
    report_id: str
    school_id: str
    month: str
    roles: list[str]
    recipients: list[str]  # person ids


@registry.register
class ReportExported(Event):
    """Who downloaded an issued report, and how: the audit of a sensitive read."""

    type_name = "ReportExported"
    report_id: str
    format: ExportFormat
    by: str
    by_name: str
    roles: list[str]
