"""An issued report: issued once (with its notification to the headteacher), then exported
any number of times, each export recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import assert_never

from services.reporting.domain.events import (
    ExportFormat,
    MonthlyReportIssued,
    MonthlyReportNotified,
    ReportExported,
)
from shared.claims import Role
from shared.decider import Decider
from shared.errors import AlreadyExists, NotFound
from shared.events import Event


@dataclass(frozen=True)
class Issued:
    issued: bool = False
    school_id: str = ""


@dataclass(frozen=True)
class Issue:
    report_id: str
    school_id: str
    month: str
    as_of: datetime
    by: str
    scheduled: bool
    summary: dict[str, int]
    headteachers: list[str]


@dataclass(frozen=True)
class Export:
    report_id: str
    format: ExportFormat
    by: str
    by_name: str
    roles: list[str]


ReportCommand = Issue | Export


def decide(command: ReportCommand, state: Issued) -> list[Event]:
    match command:
        case Issue():
            if state.issued:
                raise AlreadyExists(f"report {command.report_id} is already issued")
            c = command
            return [MonthlyReportIssued(report_id=c.report_id, school_id=c.school_id,
                                        month=c.month, as_of=c.as_of, issued_by=c.by,
                                        scheduled=c.scheduled, summary=c.summary),
                    MonthlyReportNotified(report_id=c.report_id, school_id=c.school_id,
                                          month=c.month, roles=[Role.HEADTEACHER.value],
                                          recipients=sorted(c.headteachers))]
        case Export():
            if not state.issued:
                raise NotFound(f"no report {command.report_id}", field="report_id")
            return [ReportExported(report_id=command.report_id, format=command.format,
                                   by=command.by, by_name=command.by_name,
                                   roles=sorted(command.roles))]
        case _:
            assert_never(command)


def evolve(state: Issued, event: Event) -> Issued:
    match event:
        case MonthlyReportIssued(school_id=school):
            return Issued(issued=True, school_id=school)
        case _:
            return state


report = Decider[ReportCommand, Issued]("report", Issued(), decide, evolve)
