"""Issuing a monthly report: compute it from the facts as of a moment, store its content and
append `MonthlyReportIssued` + `MonthlyReportNotified` in one transaction. On demand it runs
as a job whose progress is readable; on the first of each month a timer issues the month
just ended for every school (and catches up after a restart: ids are per school and month)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from services.reporting import issued, queries
from services.reporting.domain import periods
from services.reporting.domain.monthly import monthly
from services.reporting.domain.report import Issue, report
from shared.claims import Role
from shared.decider import load_in
from shared.errors import AlreadyExists, ConcurrencyError, DomainError
from shared.events import Metadata, now, stop_if_cancelled, wait_set
from shared.eventstore import NewEvents
from shared.service import Kit

log = logging.getLogger(__name__)
Step = Callable[[int, str], Awaitable[None]]
EVERY_SECONDS = 3600.0


async def _quiet(_: int, __: str) -> None:
    return None


async def issue(kit: Kit, report_id: str, school_id: str, month: str, as_of: datetime,
                by: str, *, scheduled: bool, step: Step = _quiet) -> None:
    period = periods.month(month)
    await step(10, "reading the facts")
    school = await queries.school_as_of(kit.db, school_id, min(as_of, period.end))
    names = await queries.names(kit.db, school_id)
    await step(50, "computing the report")
    content = monthly(school, period, as_of, names)
    heads = await queries.holders_of(kit.db, school_id, Role.HEADTEACHER.value)
    await step(80, "storing and announcing it")
    try:
        async with kit.db.begin() as conn:
            state, version = await load_in(conn, kit.registry, report, report_id)
            new = report.decide(Issue(report_id, school_id, month, as_of, by, scheduled,
                                      issued.summary_of(content), heads), state)
            await issued.store_in(conn, report_id, by, content)
            await kit.store.append_in(conn, NewEvents("report", report_id, version, new,
                                                      Metadata(school_id=school_id)))
    except (IntegrityError, ConcurrencyError) as exc:  # another replica issued it just now
        raise AlreadyExists(f"report {report_id} is already issued") from exc
    kit.store.appended.set()


def scheduled_id(school_id: str, month: str) -> str:
    return f"monthly-{school_id}-{month}"


async def issue_due(kit: Kit, at: datetime) -> list[str]:
    """The month before `at`'s, as it stood at its end, for every school not yet issued."""
    this_month = periods.month(periods.month_of(at))
    month = periods.previous_month(this_month.label)
    done = []
    for school_id in await queries.known_schools(kit.db):
        rid = scheduled_id(school_id, month)
        if await issued.load(kit.db, rid) is not None:
            continue
        try:
            await issue(kit, rid, school_id, month, this_month.start, "system", scheduled=True)
            done.append(rid)
        except AlreadyExists:
            continue  # another replica issued it first
    return done


async def run_jobs(kit: Kit, wake: asyncio.Event, idle: float = 5.0) -> None:
    """Works through queued on-demand jobs, oldest first (queued ones survive a restart)."""
    while True:
        try:
            found = await issued.next_queued(kit.db)
            if found is None:
                wake.clear()
                await wait_set(wake, idle)
                continue
            if await issued.claim(kit.db, str(found["job_id"])):
                await _run(kit, found)
        except Exception:
            stop_if_cancelled()
            log.exception("report job loop failed; trying again")
            await asyncio.sleep(idle)


async def _run(kit: Kit, job: dict[str, object]) -> None:
    job_id, as_of = str(job["job_id"]), job["as_of"]
    assert isinstance(as_of, datetime)

    async def step(percent: int, what: str) -> None:
        await issued.progress(kit.db, job_id, percent, what)

    try:
        await issue(kit, str(job["report_id"]), str(job["school_id"]), str(job["month"]),
                    as_of, str(job["requested_by"]),
                    scheduled=False, step=step)
    except DomainError as exc:
        await issued.progress(kit.db, job_id, 100, "failed", status="failed",
                              error=exc.message[:500])
        return
    except Exception:
        stop_if_cancelled()
        log.exception("report job %s failed", job_id)
        await issued.progress(kit.db, job_id, 100, "failed", status="failed",
                              error="internal error")
        return
    await issued.progress(kit.db, job_id, 100, "done", status="done")


async def issue_periodically(kit: Kit, every: float = EVERY_SECONDS) -> None:
    while True:
        try:
            for rid in await issue_due(kit, now()):
                log.info("issued %s", rid)
        except Exception:
            stop_if_cancelled()
            log.exception("issuing the monthly reports failed; trying again later")
        await asyncio.sleep(every)
