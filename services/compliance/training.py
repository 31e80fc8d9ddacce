"""Staff training as the compliance service keeps it: the records (from its own events), the
school's staff (a replica of the directory's), who is due or overdue, and the CSV import."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Column, Date, DateTime, MetaData, String, Table, Text, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.compliance.contracts import RowResult, StaffTraining, TrainingView
from services.compliance.domain.commands import RecordTraining
from services.compliance.domain.events import TrainingKind, TrainingRecorded
from services.compliance.domain.training import record_id_of, standing
from services.directory.replica import Member, StaffReplica, current_staff, staff_tables
from shared.batch import validated
from shared.db import Database, as_utc, new_metadata
from shared.errors import InvalidInput
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()
staff_metadata = new_metadata()  # its own: rebuilt from the directory's stream alone
STAFF = staff_tables(staff_metadata, "compliance")

records = Table(
    "training_records", metadata,
    Column("record_id", String(120), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("person_id", String(64), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("completed_on", Date, nullable=False),
    Column("provider", String(200), nullable=False),
    Column("evidence", Text),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)


class ComplianceStaff(StaffReplica):
    name = "compliance-staff"
    metadata: ClassVar[MetaData] = staff_metadata
    tables = STAFF


class TrainingRecords(Projection):
    name = "compliance-training"
    sources = ("compliance",)
    handles = frozenset({TrainingRecorded.type_name})
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if isinstance(event, TrainingRecorded):
            await conn.execute(insert(records).values(**event.model_dump(),
                                                      recorded_at=env.occurred_at))


async def staff_of(db: Database, school_id: str) -> list[Member]:
    async with db.read() as conn:
        return (await current_staff(conn, STAFF, [school_id]))[school_id]


async def records_of(db: Database, school_id: str, person_id: str | None) -> list[TrainingView]:
    people = STAFF.people
    query = (select(records, people.c.name).join(people, people.c.person_id == records.c.person_id,
                                                isouter=True)
             .where(records.c.school_id == school_id)
             .order_by(records.c.completed_on.desc(), records.c.record_id))
    if person_id is not None:
        query = query.where(records.c.person_id == person_id)
    async with db.read() as conn:
        rows = await conn.execute(query)
        return [TrainingView(**{**r._mapping, "name": r.name or r.person_id,
                                "recorded_at": as_utc(r.recorded_at)}) for r in rows]


async def statuses(db: Database, school_ids: list[str], today: date
                   ) -> dict[str, list[StaffTraining]]:
    """Each school's current staff and where each stands with training, overdue first."""
    async with db.read() as conn:
        staff = await current_staff(conn, STAFF, school_ids)
        done: dict[str, list[tuple[TrainingKind, date]]] = defaultdict(list)
        for r in await conn.execute(select(records.c.person_id, records.c.kind,
                                           records.c.completed_on)
                                    .where(records.c.school_id.in_(school_ids))):
            done[r.person_id].append((TrainingKind(r.kind), r.completed_on))
    out: dict[str, list[StaffTraining]] = {}
    for school_id, members in staff.items():
        rows = [StaffTraining(school_id=school_id, person_id=m.person_id, name=m.name,
                              **vars(standing(done[m.person_id], today))) for m in members]
        out[school_id] = sorted(rows, key=lambda s: not s.overdue)
    return out


# The import's columns: who (person_id, or the email the directory has), then the record.
COLUMNS = ("person_id", "email", "kind", "completed_on", "provider", "evidence")
MAX_ROWS = 2000


def parse_csv(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {(h or "").strip().lower() for h in reader.fieldnames or []}
    if "kind" not in headers or not headers & {"person_id", "email"}:
        raise InvalidInput("the first row names the columns: person_id or email, kind, "
                           "completed_on, provider, evidence", field="csv")
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            for row in reader]
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows per import (got {len(rows)})", field="csv")
    return rows


def _uk_date(value: str) -> str:
    """MIS exports write 05/09/2026: day first. ISO dates pass as they are."""
    try:
        return datetime.strptime(value, "%d/%m/%Y").date().isoformat()
    except ValueError:
        return value


def command_of(school_id: str, index: int, row: dict[str, str], staff: list[Member]
               ) -> RecordTraining | RowResult:
    """A row as a command, or the reason it is rejected."""
    pid = row.get("person_id") or ""
    email = (row.get("email") or "").lower()
    if not pid and email:
        found = [m.person_id for m in staff if (m.email or "").lower() == email]
        pid = found[0] if len(found) == 1 else ""
        if not pid:
            return RowResult(index=index, status="rejected", field="email",
                             reason=f"no one on the school's staff has the email {email}")
    if pid not in {m.person_id for m in staff}:
        return RowResult(index=index, status="rejected", field="person_id",
                         reason=f"{pid or 'the row'} is not a current member of staff here")
    fields: dict[str, Any] = {k: v for k, v in row.items() if k in COLUMNS[2:] and v}
    if "completed_on" in fields:
        fields["completed_on"] = _uk_date(fields["completed_on"])
    try:
        return validated(RecordTraining, {**fields, "school_id": school_id, "person_id": pid})
    except InvalidInput as exc:
        return RowResult(index=index, status="rejected", reason=exc.message, field=exc.field)


def accepted_or_duplicate(index: int, cmd: RecordTraining, fresh: set[str]) -> RowResult:
    rid = record_id_of(cmd)
    return RowResult(index=index, status="accepted" if rid in fresh else "duplicate", ref=rid)
