"""The classes of a roster sync: each recorded as the MIS has it (a no-op when unchanged); a
full sync closes the school's MIS classes it no longer names."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from services.directory.domain.commands import CloseClass, RecordClass
from services.directory.domain.school_class import school_class
from services.directory.integrations.contracts import RosterClass, SyncReport
from services.directory.integrations.rows import class_id_for, person_id_for
from services.directory.projections import classes
from shared.events import Metadata
from shared.eventstore import NewEvents
from shared.service import Kit


async def record_classes(kit: Kit, school_id: str, sent: list[RosterClass],
                         report: SyncReport) -> None:
    commands = {class_id_for(school_id, c.mis_id): RecordClass(
        school_id=school_id, class_id=class_id_for(school_id, c.mis_id), name=c.name,
        year_group=c.year_group, mis_id=c.mis_id,
        teacher_ids=tuple(person_id_for(school_id, t) for t in c.teachers)) for c in sent}
    await _decide(kit, school_id, commands, report.classes_recorded)


async def close_missing(kit: Kit, school_id: str, sent: list[RosterClass],
                        report: SyncReport) -> None:
    named = {c.mis_id for c in sent}
    async with kit.db.read() as conn:
        known = list(await conn.execute(select(classes.c.class_id, classes.c.mis_id).where(
            classes.c.school_id == school_id, classes.c.mis_id.is_not(None),
            classes.c.closed.is_(False))))
    commands = {r.class_id: CloseClass(school_id=school_id, class_id=r.class_id)
                for r in known if r.mis_id not in named}
    await _decide(kit, school_id, commands, report.classes_closed)


async def _decide(kit: Kit, school_id: str, commands: Mapping[str, RecordClass | CloseClass],
                  changed: list[str]) -> None:
    """All in one transaction; a concurrent writer makes the store refuse it (sent again,
    the sync decides on fresh state)."""
    states = await kit.bus.load_many(school_class, list(commands))
    batches = []
    meta = Metadata(school_id=school_id)
    for class_id, command in commands.items():
        state, version = states[class_id]
        events = school_class.decide(command, state)
        if events:
            batches.append(NewEvents(school_class.aggregate_type, class_id, version, events, meta))
            mis = command.mis_id if isinstance(command, RecordClass) else (
                state.recorded.mis_id if state.recorded else None)
            changed.append(mis or class_id)
    if batches:
        async with kit.db.begin() as conn:
            await kit.store.append_in(conn, *batches)
        kit.store.appended.set()
