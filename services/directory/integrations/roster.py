"""The MIS roster sync: rows in, a change report out.

Each row is one person's `SyncPerson` through the person decider, so a row applies whole or
not at all. For speed, states are loaded many at a time and the events of up to 1,000 people
are appended in one transaction; if another writer got in first, that chunk is replayed
person by person (loaded again, decided again), which is what the command bus would do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from pydantic import ValidationError
from sqlalchemy import insert, select

from services.directory.domain import person
from services.directory.domain.commands import RecordLeaver, SyncPerson
from services.directory.domain.events import PersonKind
from services.directory.integrations.classes import close_missing, record_classes
from services.directory.integrations.contracts import (
    RosterPerson,
    RowRejection,
    SyncMode,
    SyncReport,
    SyncRoster,
)
from services.directory.integrations.rows import Row, checked_rows, first_error
from services.directory.integrations.tables import roster_members
from shared.errors import ConcurrencyError, DomainError
from shared.events import Event, Metadata
from shared.eventstore import NewEvents
from shared.service import Kit

log = logging.getLogger(__name__)

CHUNK = 1000  # people per transaction
PROGRESS_EVERY = 1000
LEAVER_REASON = "not in the school's full MIS roster"


@dataclass(frozen=True)
class Change:
    row: Row
    command: SyncPerson | RecordLeaver
    created: bool = False


@dataclass
class Sync:
    kit: Kit
    req: SyncRoster
    report: SyncReport = field(init=False)
    keep: set[str] = field(default_factory=set)  # rejected MIS ids: never made leavers
    done: int = 0

    def __post_init__(self) -> None:
        self.report = SyncReport(mode=self.req.mode, rejected=list(self.req.rejected))
        self.keep = {r.mis_id for r in self.req.rejected if r.mis_id}
        self.meta = Metadata(school_id=self.req.school_id)

    async def run(self) -> SyncReport:
        rows = checked_rows(self.req, self._reject)
        if self.req.classes is not None:
            await record_classes(self.kit, self.req.school_id, self.req.classes, self.report)
        known = await self._members()
        await self._apply([r for r in rows if r.person.kind is not PersonKind.PARENT])
        pupils = {mis: pid for mis, (pid, kind) in known.items() if kind == PersonKind.PUPIL}
        pupils |= {r.person.mis_id: r.person_id for r in rows
                   if r.person.kind is PersonKind.PUPIL and r.person.mis_id not in self.keep}
        await self._apply([r for r in rows if r.person.kind is PersonKind.PARENT], pupils)
        if self.req.mode is SyncMode.FULL:
            seen = {r.person.mis_id for r in rows} | self.keep | set(self.req.present)
            await self._leave([Row("", _stub(mis, kind), pid)
                               for mis, (pid, kind) in known.items() if mis not in seen])
            if self.req.classes is not None:
                await close_missing(self.kit, self.req.school_id, self.req.classes, self.report)
        log.info("roster sync %s: %d rows, %d created, %d updated, %d left, %d rejected",
                 self.req.school_id, len(self.req.people), len(self.report.created),
                 len(self.report.updated), len(self.report.left), len(self.report.rejected))
        return self.report

    def _reject(self, label: str, mis_id: str | None, reason: str) -> None:
        self.report.rejected.append(RowRejection(row=label, mis_id=mis_id, reason=reason))
        if mis_id:
            self.keep.add(mis_id)

    async def _members(self) -> dict[str, tuple[str, PersonKind]]:
        async with self.kit.db.read() as conn:
            found = await conn.execute(select(roster_members).where(
                roster_members.c.school_id == self.req.school_id))
            return {r.mis_id: (r.person_id, PersonKind(r.kind)) for r in found}

    async def _apply(self, rows: list[Row], pupils: dict[str, str] | None = None) -> None:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            changes = []
            for row in chunk:
                command = self._command(row, pupils or {})
                if command is not None:
                    changes.append(Change(row, command))
            await self._commit(changes)
            self._progress(len(chunk))

    def _command(self, row: Row, pupils: dict[str, str]) -> SyncPerson | None:
        p = row.person
        unknown = [m for m in p.guardian_of if m not in pupils]
        if unknown:
            self._reject(row.label, p.mis_id, f"unknown pupil {', '.join(unknown)}")
            return None
        try:
            return SyncPerson(
                school_id=self.req.school_id, person_id=row.person_id,
                **p.model_dump(exclude={"guardian_of", "relationship"}),
                guardian_of={pupils[m]: p.relationship for m in p.guardian_of})
        except ValidationError as exc:
            self._reject(row.label, p.mis_id, first_error(exc))
            return None

    async def _leave(self, rows: list[Row]) -> None:
        today = date.today()
        for start in range(0, len(rows), CHUNK):
            await self._commit([Change(r, RecordLeaver(
                school_id=self.req.school_id, person_id=r.person_id, left_on=today,
                reason=LEAVER_REASON)) for r in rows[start:start + CHUNK]])

    async def _commit(self, changes: list[Change], attempts: int = 3) -> None:
        """Decide each change on fresh state and append the lot in one transaction."""
        states = await self.kit.bus.load_many(person.person, [c.row.person_id for c in changes])
        decided: list[tuple[Change, list[Event], int]] = []
        for change in changes:
            state, version = states[change.row.person_id]
            try:
                events = person.decide(change.command, state)
            except DomainError as exc:
                self._reject(change.row.label, change.row.person.mis_id, exc.message)
                continue
            decided.append((Change(change.row, change.command, not state.exists), events, version))
        try:
            await self._append(decided)
        except ConcurrencyError:
            retry = [c for c, _, _ in decided]
            if len(retry) > 1:
                for change in retry:
                    await self._commit([change])
            elif attempts > 1:
                await self._commit(retry, attempts - 1)
            else:
                self._reject(changes[0].row.label, changes[0].row.person.mis_id,
                             "changed by another writer meanwhile; send it again")
            return
        for change, events, _ in decided:
            self._count(change, bool(events))

    async def _append(self, decided: list[tuple[Change, list[Event], int]]) -> None:
        batches = [NewEvents("person", c.row.person_id, version, events, self.meta)
                   for c, events, version in decided if events]
        members = [{"school_id": self.req.school_id, "mis_id": c.row.person.mis_id,
                    "person_id": c.row.person_id, "kind": c.row.person.kind.value}
                   for c, _, _ in decided if c.created]
        if not batches:
            return
        async with self.kit.db.begin() as conn:
            await self.kit.store.append_in(conn, *batches)
            if members:
                await conn.execute(insert(roster_members), members)
        self.kit.store.appended.set()

    def _count(self, change: Change, changed: bool) -> None:
        mis = change.row.person.mis_id
        if isinstance(change.command, RecordLeaver):
            if changed:
                self.report.left.append(mis)
        elif change.created:
            self.report.created.append(mis)
        else:
            (self.report.updated if changed else self.report.unchanged).append(mis)

    def _progress(self, rows: int) -> None:
        before, self.done = self.done, self.done + rows
        if self.done // PROGRESS_EVERY > before // PROGRESS_EVERY:
            log.info("roster sync %s: %d of %d rows", self.req.school_id, self.done,
                     len(self.req.people))


def _stub(mis_id: str, kind: PersonKind) -> RosterPerson:
    """A leaver's row: only the id and kind matter."""
    return RosterPerson.model_construct(mis_id=mis_id, kind=kind, given_name="",
                                        family_name="")

