"""Retention of incidents: a timer removes the free text (description and notes) of closed
incidents older than the school's `incident_text` period; a child-protection incident's only
once every pupil involved is 25 (their dates of birth from the directory; with a pupil whose
date of birth is unknown, or no pupil from the directory, it is kept). The rest of the record
(category, type, people involved, status, the chronology's entries) stays, so the log's and
the reports' counts do not change. Record transfers follow the incidents they summarise
(services/incident/transfers.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.compliance.domain.events import CHILD_PROTECTION_AGE, RecordType
from services.compliance.domain.retention import months_before, years_after
from services.compliance.retention_contracts import PurgeReport
from services.compliance.retention_rules import RetentionRules, periods_in, schools_in
from services.incident.domain.events import (
    IncidentContentPurged,
    RecordTransferPurged,
    Status,
)
from services.incident.domain.incident import PurgeText, incident
from services.incident.domain.transfer import PurgeTransfer, record_transfer
from services.incident.people import people
from services.incident.projections import incidents, involved
from services.incident.transfer_views import items, transfers
from shared import periodic
from shared.db import as_utc
from shared.erasure_log import ErasureLog
from shared.events import Clock, Metadata
from shared.service import Kit

log = logging.getLogger(__name__)
EVERY_SECONDS = 3600.0


class IncidentRetention(RetentionRules):
    name = "incident-retention"


class IncidentPurgeLog(ErasureLog):
    name = "incident-purges"
    sources = ("incident",)
    handles = frozenset({IncidentContentPurged.type_name, RecordTransferPurged.type_name})
    inline = True


@dataclass
class IncidentPurger:
    kit: Kit
    clock: Clock

    async def due(self, as_of: date, la_id: str | None) -> list[tuple[str, str, str]]:
        """(school, incident, reason) of the closed incidents whose text is due."""
        found: list[tuple[str, str, str]] = []
        async with self.kit.db.read() as conn:
            for school, la in await schools_in(conn, la_id):
                period = (await periods_in(conn, la, school)).get(RecordType.INCIDENT_TEXT)
                rows = await conn.execute(select(
                    incidents.c.incident_id, incidents.c.reported_at,
                    incidents.c.child_protection).where(
                    incidents.c.school_id == school, incidents.c.status == Status.CLOSED.value,
                    incidents.c.text_removed_on.is_(None)).order_by(incidents.c.reported_at))
                for iid, reported_at, child_protection in rows:
                    if child_protection:
                        if await _all_pupils_adult(conn, iid, as_of):
                            found.append((school, iid, f"child protection: every pupil "
                                                       f"involved is {CHILD_PROTECTION_AGE}"))
                    elif period is not None and as_utc(reported_at) < datetime.combine(
                            months_before(as_of, period[0]), time(), UTC):
                        found.append((school, iid, f"incident_text retention "
                                                   f"({period[0]} months)"))
        return found

    async def transfers_due(self, as_of: date, la_id: str | None) -> list[tuple[str, str, str]]:
        """(sending school, transfer, reason) of the record transfers whose text is due: every
        incident they summarise has had its text removed here (the read model's view: one
        purged in this run counts on the next), or, summarising none, the sending school's
        `incident_text` period has passed since sending."""
        found: list[tuple[str, str, str]] = []
        t, i = transfers.c, items.c
        kept = exists().where(i.transfer_id == t.transfer_id, incidents.c.incident_id ==
                              i.incident_id, incidents.c.text_removed_on.is_(None))
        carried = exists().where(i.transfer_id == t.transfer_id)
        async with self.kit.db.read() as conn:
            for school, la in await schools_in(conn, la_id):
                period = (await periods_in(conn, la, school)).get(RecordType.INCIDENT_TEXT)
                rows = await conn.execute(select(t.transfer_id, carried.label("carried"),
                                                 t.sent_at, t.note).where(
                    t.school_id == school, t.text_removed_on.is_(None), ~kept)
                    .order_by(t.sent_at))
                for tid, has_items, sent_at, note in rows:
                    if has_items:
                        found.append((school, tid, "every incident it summarises was purged"))
                    elif note and period is not None and as_utc(sent_at) < datetime.combine(
                            months_before(as_of, period[0]), time(), UTC):
                        found.append((school, tid, f"incident_text retention "
                                                   f"({period[0]} months)"))
        return found

    async def purge_due(self, as_of: datetime, la_id: str | None = None) -> PurgeReport:
        due = await self.due(as_of.date(), la_id)
        purged = 0
        for school, iid, reason in due:
            outcome = await self.kit.bus.execute(
                incident, iid, PurgeText(school, iid, as_of.date(), reason),
                Metadata(school_id=school, occurred_at=as_of))
            purged += bool(outcome.envelopes)
        log.info("incident retention: %d of %d due incidents purged", purged, len(due))
        sent = await self.transfers_due(as_of.date(), la_id)
        for school, tid, reason in sent:
            done = await self.kit.bus.execute(
                record_transfer, tid, PurgeTransfer(school, as_of.date(), reason),
                Metadata(school_id=school, occurred_at=as_of))
            purged += bool(done.envelopes)
        log.info("incident retention: %d due record transfers checked", len(sent))
        return PurgeReport(records=purged, checked=len(due) + len(sent))

    def timer(self) -> periodic.Job:
        async def run() -> None:
            await self.purge_due(self.clock())

        return periodic.every(EVERY_SECONDS, run, "incident_retention_purge")


async def _all_pupils_adult(conn: AsyncConnection, incident_id: str, as_of: date) -> bool:
    births = list((await conn.execute(
        select(people.c.date_of_birth)
        .join(involved, involved.c.person_id == people.c.person_id)
        .where(involved.c.incident_id == incident_id, people.c.kind == "pupil"))).scalars())
    return bool(births) and all(
        b is not None and years_after(b, CHILD_PROTECTION_AGE) <= as_of for b in births)
