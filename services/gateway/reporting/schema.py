"""Reporting queries and the on-demand issue: each resolver is one RPC to the reporting
service, which decides who may read what."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from services.gateway.context import Info, signed_in
from services.gateway.reporting.types import (
    EmergingRisk,
    GovernorsReport,
    IssuedReport,
    LaOverview,
    MonthlyReport,
    ReportJob,
)
from services.reporting.contracts import SERVICE


def _at(as_of: datetime | None) -> dict[str, Any]:
    return {"as_of": as_of.isoformat()} if as_of else {}


@strawberry.type
class ReportingQuery:
    @strawberry.field(extensions=signed_in(),
                      description="The headteacher's monthly report; asOf: as known then.")
    async def monthly_report(self, info: Info, school_id: str, month: str,
                             as_of: datetime | None = None) -> MonthlyReport:
        q = {"school_id": school_id, "month": month, **_at(as_of)}
        return MonthlyReport.of(await info.context.call(SERVICE, "MonthlyReport", q))

    @strawberry.field(extensions=signed_in(),
                      description="The governors' termly report (term e.g. 2026-autumn).")
    async def governors_report(self, info: Info, school_id: str, term: str,
                               as_of: datetime | None = None) -> GovernorsReport:
        q = {"school_id": school_id, "term": term, **_at(as_of)}
        return GovernorsReport.of(await info.context.call(SERVICE, "GovernorsReport", q))

    @strawberry.field(extensions=signed_in(), description="LA roles: every school.")
    async def la_overview(self, info: Info, as_of: datetime | None = None) -> LaOverview:
        return LaOverview.of(await info.context.call(SERVICE, "LaOverview", _at(as_of)))

    @strawberry.field(extensions=signed_in(),
                      description="LA roles: categories or phrases rising in several schools.")
    async def emerging_risks(self, info: Info,
                             as_of: datetime | None = None) -> list[EmergingRisk]:
        found = await info.context.call(SERVICE, "EmergingRisks", _at(as_of))
        return [EmergingRisk.of(x) for x in found]

    @strawberry.field(extensions=signed_in(),
                      description="Issued monthly reports, newest first, with download links.")
    async def issued_reports(self, info: Info,
                             school_id: str | None = None) -> list[IssuedReport]:
        found = await info.context.call(SERVICE, "IssuedReports", {"school_id": school_id})
        return [IssuedReport.of(x) for x in found]

    @strawberry.field(extensions=signed_in())
    async def report_job(self, info: Info, job_id: str) -> ReportJob:
        return ReportJob.of(await info.context.call(SERVICE, "ReportJob", {"job_id": job_id}))


@strawberry.type
class ReportingMutation:
    @strawberry.mutation(extensions=signed_in(),
                         description="Generates, stores and announces the monthly report; "
                                     "follow it with reportJob(jobId).")
    async def issue_monthly_report(self, info: Info, school_id: str, month: str,
                                   as_of: datetime | None = None) -> ReportJob:
        cmd = {"school_id": school_id, "month": month, **_at(as_of)}
        return ReportJob.of(await info.context.call(SERVICE, "IssueMonthlyReport", cmd))
