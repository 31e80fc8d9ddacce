"""Issued reports and report jobs: the service's own records (not projections, so a rebuild
keeps them). An issued report's content is stored as JSON here; its event carries only a
reference and summary numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.domain.monthly import MonthlyReport
from shared.db import Database, as_utc, new_metadata
from shared.events import now

metadata = new_metadata()

reports = Table(
    "report_issued", metadata,
    Column("report_id", String(120), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("month", String(7), nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("summary", JSON, nullable=False),
    Column("content", JSON, nullable=False),
)

jobs = Table(
    "report_jobs", metadata,
    Column("job_id", String(40), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("month", String(7), nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("status", String(12), nullable=False),  # queued, running, done, failed
    Column("progress", Integer, nullable=False),  # percent
    Column("step", String(80), nullable=False),
    Column("report_id", String(120)),
    Column("error", String(500)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def summary_of(content: MonthlyReport) -> dict[str, int]:
    """The numbers an issued report's event may carry (no names)."""
    return {"captures_received": content.captures.received,
            "captures_moderated": content.captures.moderated,
            "alerts_raised": content.alerts.raised, "sla_breaches": content.alerts.sla_breaches,
            "incidents_reported": content.incidents.reported,
            "violations": len(content.violations), "actions_taken": content.actions.total,
            "people_needing_signature": len(content.compliance.needing_signature),
            "access_suspended": len(content.compliance.suspended)}


async def store_in(conn: AsyncConnection, report_id: str, by: str,
                   content: MonthlyReport) -> None:
    await conn.execute(insert(reports).values(
        report_id=report_id, school_id=content.school_id, month=content.month,
        as_of=content.as_of, issued_at=now(), issued_by=by, summary=summary_of(content),
        content=content.model_dump(mode="json")))


async def load(db: Database, report_id: str) -> dict[str, Any] | None:
    async with db.read() as conn:
        row = (await conn.execute(select(reports).where(reports.c.report_id == report_id))
               ).mappings().first()
    return _row(row) if row else None


async def listed(db: Database, school_ids: list[str] | None) -> list[dict[str, Any]]:
    query = select(reports.c.report_id, reports.c.school_id, reports.c.month, reports.c.as_of,
                   reports.c.issued_at, reports.c.issued_by, reports.c.summary)
    if school_ids is not None:
        query = query.where(reports.c.school_id.in_(school_ids))
    async with db.read() as conn:
        rows = (await conn.execute(query.order_by(reports.c.issued_at.desc()))).mappings()
        return [_row(r) for r in rows]


def _row(row: Any) -> dict[str, Any]:
    out = dict(row)
    for key in ("as_of", "issued_at", "updated_at"):
        if isinstance(out.get(key), datetime):
            out[key] = as_utc(out[key])
    return out


async def new_job(db: Database, job_id: str, school_id: str, month: str, as_of: datetime,
                  by: str, report_id: str) -> None:
    async with db.begin() as conn:
        await conn.execute(insert(jobs).values(
            job_id=job_id, school_id=school_id, month=month, as_of=as_of, requested_by=by,
            report_id=report_id, status="queued", progress=0, step="queued", updated_at=now()))


async def next_queued(db: Database) -> dict[str, Any] | None:
    async with db.read() as conn:
        row = (await conn.execute(select(jobs).where(jobs.c.status == "queued")
                                  .order_by(jobs.c.updated_at).limit(1))).mappings().first()
    return _row(row) if row else None


async def claim(db: Database, job_id: str) -> bool:
    """Take a queued job; False when another replica took it first."""
    async with db.begin() as conn:
        done = await conn.execute(update(jobs).where(jobs.c.job_id == job_id,
                                                     jobs.c.status == "queued").values(
            status="running", step="started", updated_at=now()))
    return bool(done.rowcount)


async def progress(db: Database, job_id: str, percent: int, step: str, status: str = "running",
                   **more: Any) -> None:
    async with db.begin() as conn:
        await conn.execute(update(jobs).where(jobs.c.job_id == job_id).values(
            status=status, progress=percent, step=step, updated_at=now(), **more))


async def job(db: Database, job_id: str) -> dict[str, Any] | None:
    async with db.read() as conn:
        row = (await conn.execute(select(jobs).where(jobs.c.job_id == job_id))
               ).mappings().first()
    return _row(row) if row else None
