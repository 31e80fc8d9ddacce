"""Reporting entry points: each report is read from the facts as of a moment, for readers the
policies allow. Headteacher, DSLs and the e-safety co-ordinator read their school's monthly
report (with names); governors the termly report only (aggregates); LA roles every school,
the LA overview and the emerging risks."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime
from uuid import uuid4

from services.reporting import export, issued, issuing, queries, subject_access
from services.reporting.contracts import (
    SERVICE,
    EmergingRisksQuery,
    ExportFile,
    ExportReport,
    GovernorsReportQuery,
    IssuedReport,
    IssuedReports,
    LaOverviewQuery,
    MonthlyReportQuery,
    ReportJob,
    ReportJobQuery,
)
from services.reporting.domain import periods
from services.reporting.domain.commands import IssueMonthlyReport
from services.reporting.domain.events import ExportFormat
from services.reporting.domain.governors import GovernorsReport, governors
from services.reporting.domain.monthly import MonthlyReport, monthly
from services.reporting.domain.overview import Overview, overview
from services.reporting.domain.report import Export, report
from services.reporting.domain.risks import EmergingRisk, emerging, window_start
from services.reporting.issued import metadata as own_tables
from services.reporting.projections import Facts
from shared.claims import LA_ROLES, Claims, Role
from shared.errors import Forbidden, NotFound
from shared.events import Metadata, now
from shared.rpc import RpcRouter
from shared.service import Kit, Wiring

READERS = LA_ROLES | {Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.ESAFETY_COORDINATOR}
GOVERNOR_READERS = READERS | {Role.GOVERNOR}
ISSUERS = frozenset({Role.HEADTEACHER, Role.DSL, Role.ESAFETY_COORDINATOR, Role.LA_ADMIN})
MEDIA = {ExportFormat.CSV: "text/csv", ExportFormat.PDF: "application/pdf"}


def require_la(caller: Claims) -> None:
    if not caller.is_la:
        raise Forbidden("this is for the local authority's staff")


def build(kit: Kit) -> Wiring:
    rpc, db = RpcRouter(SERVICE), kit.db
    wake = asyncio.Event()

    def moment(as_of: datetime | None) -> datetime:
        return as_of or now()

    @rpc.handler("MonthlyReport")
    async def monthly_report(q: MonthlyReportQuery, caller: Claims) -> MonthlyReport:
        caller.require_role(q.school_id, READERS)
        at, period = moment(q.as_of), periods.month(q.month)
        # A past month as it stood when it ended (open items, compliance), known as of `at`.
        school = await queries.school_as_of(db, q.school_id, min(at, period.end))
        return monthly(school, period, at, await queries.names(db, q.school_id))

    @rpc.handler("GovernorsReport")
    async def governors_report(q: GovernorsReportQuery, caller: Claims) -> GovernorsReport:
        caller.require_role(q.school_id, GOVERNOR_READERS)
        at, term = moment(q.as_of), periods.term(q.term)
        previous = periods.term(periods.previous_term(q.term))
        this = await queries.school_as_of(db, q.school_id, min(at, term.end))
        last = await queries.school_as_of(db, q.school_id, min(at, previous.end))
        return governors(this, last, term, previous, at)

    @rpc.handler("LaOverview")
    async def la_overview(q: LaOverviewQuery, caller: Claims) -> Overview:
        require_la(caller)
        at = moment(q.as_of)
        return overview(await queries.schools_as_of(db, at), at)

    @rpc.handler("EmergingRisks")
    async def emerging_risks(q: EmergingRisksQuery, caller: Claims) -> list[EmergingRisk]:
        require_la(caller)
        at = moment(q.as_of)
        return emerging(await queries.captures_between(db, window_start(at), at), at)

    @rpc.handler("IssuedReports")
    async def issued_reports(q: IssuedReports, caller: Claims) -> list[IssuedReport]:
        if q.school_id is None:
            require_la(caller)
        else:
            caller.require_role(q.school_id, READERS)
        found = await issued.listed(db, None if q.school_id is None else [q.school_id])
        return [IssuedReport.model_validate(r) for r in found]

    @rpc.handler("IssueMonthlyReport")
    async def issue_report(cmd: IssueMonthlyReport, caller: Claims) -> ReportJob:
        caller.require_school_role(cmd.school_id, ISSUERS)
        periods.month(cmd.month)
        job_id = uuid4().hex
        rid = f"monthly-{cmd.school_id}-{cmd.month}-{job_id[:8]}"
        await issued.new_job(db, job_id, cmd.school_id, cmd.month, moment(cmd.as_of),
                             caller.subject, rid)
        wake.set()
        return await job_view(job_id, caller)

    async def job_view(job_id: str, caller: Claims) -> ReportJob:
        found = await issued.job(db, job_id)
        if found is None or not caller.can_access(str(found["school_id"])):
            raise NotFound(f"no report job {job_id}", field="job_id")
        caller.require_role(str(found["school_id"]), ISSUERS | READERS)
        return ReportJob.model_validate(found)

    @rpc.handler("ReportJob")
    async def report_job(q: ReportJobQuery, caller: Claims) -> ReportJob:
        return await job_view(q.job_id, caller)

    @rpc.handler("ExportReport")
    async def export_report(q: ExportReport, caller: Claims) -> ExportFile:
        found = await issued.load(db, q.report_id)
        if found is None or not caller.can_access(str(found["school_id"])):
            raise NotFound(f"no report {q.report_id}", field="report_id")
        school_id = str(found["school_id"])
        caller.require_role(school_id, READERS)
        await kit.bus.execute(report, q.report_id,
                              Export(q.report_id, q.format, caller.subject, caller.name,
                                     sorted(r.value for r in caller.roles)),
                              Metadata(school_id=school_id))
        content = MonthlyReport.model_validate(found["content"])
        render = export.to_pdf if q.format is ExportFormat.PDF else export.to_csv
        data = await asyncio.to_thread(render, content)
        return ExportFile(filename=f"{q.report_id}.{q.format.value}",
                          media_type=MEDIA[q.format],
                          content_base64=base64.b64encode(data).decode())

    async def jobs() -> None:
        await issuing.run_jobs(kit, wake)

    async def monthly_timer() -> None:
        await issuing.issue_periodically(kit)

    subject_access.serve(rpc, kit)
    return Wiring(rpc=rpc, projections=[Facts()], tables=[own_tables],
                  tasks=[jobs, monthly_timer])
