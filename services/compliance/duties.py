"""The school's recurring duties beside the standards: staff training (one at a time or a CSV
register), the filtering product's log summaries, and reminders of what is due."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import MetaData, select

from services.compliance import filtering, training
from services.compliance.contracts import (
    BatchResult,
    FilteringSummaryPage,
    IngestFilteringSummaries,
    LaTrainingOverdue,
    ListFilteringSummaries,
    ListReminders,
    ListTraining,
    ReminderView,
    RowResult,
    SendReminders,
    StaffTraining,
    TrainingStatusQuery,
    TrainingView,
)
from services.compliance.domain.commands import ImportTraining, RecordTraining
from services.compliance.domain.training import Recording, record_id_of
from services.compliance.domain.training import training as training_decider
from services.compliance.projections import schools
from services.compliance.reminding import Reminders, Reminding, reminders_of
from shared.claims import LA_ROLES, Claims, Role, Scope
from shared.errors import AlreadyExists, NotFound
from shared.events import Metadata
from shared.gauges import Gauge
from shared.mail import MAIL_GAUGES, MailSettings, mail_metadata, sender
from shared.projection import Projection
from shared.rpc import RpcRouter
from shared.service import Kit

# Training is recorded by the school's DSL, head or school admin (or the LA's admins for it).
RECORDERS = frozenset({Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL, Role.SCHOOL_ADMIN,
                       Role.LA_ADMIN})
# Staff training is staff's personal data: the school's leaders, governors, and the LA.
TRAINING_READERS = RECORDERS | {Role.ESAFETY_COORDINATOR, Role.GOVERNOR} | LA_ROLES


@dataclass
class Duties:
    projections: list[Projection] = field(default_factory=list)
    tasks: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    tables: list[MetaData] = field(default_factory=list)
    gauges: list[Gauge] = field(default_factory=list)


def register(rpc: RpcRouter, kit: Kit, clock: Callable[[], datetime],
             readers: frozenset[Role]) -> Duties:
    db = kit.db
    reminding = Reminding(kit, clock)

    async def record(school_id: str, cmds: list[RecordTraining], caller: Claims) -> set[str]:
        done = await kit.bus.execute(training_decider, school_id,
                                     Recording(tuple(cmds), caller.subject, clock().date()),
                                     Metadata(school_id=school_id))
        return {str(e.payload["record_id"]) for e in done.envelopes}

    @rpc.handler("RecordTraining")
    async def record_one(cmd: RecordTraining, caller: Claims) -> dict[str, str]:
        caller.require_school_role(cmd.school_id, RECORDERS)
        if cmd.person_id not in {m.person_id for m in await training.staff_of(db, cmd.school_id)}:
            raise NotFound(f"{cmd.person_id} is not a current member of staff here",
                           field="person_id")
        if not await record(cmd.school_id, [cmd], caller):
            raise AlreadyExists("this training is already recorded", field="completed_on")
        return {"school_id": cmd.school_id, "record_id": record_id_of(cmd)}

    @rpc.handler("ImportTraining")
    async def import_csv(cmd: ImportTraining, caller: Claims) -> BatchResult:
        caller.require_school_role(cmd.school_id, RECORDERS)
        rows = training.parse_csv(cmd.csv)
        staff = await training.staff_of(db, cmd.school_id)
        results: list[RowResult] = []
        good: dict[int, RecordTraining] = {}
        today = clock().date()
        for i, row in enumerate(rows):
            made = training.command_of(cmd.school_id, i, row, staff)
            if isinstance(made, RowResult):
                results.append(made)
            elif made.completed_on > today:
                results.append(RowResult(index=i, status="rejected", field="completed_on",
                                         reason=f"completed_on {made.completed_on} is in the "
                                                "future"))
            else:
                good[i] = made
        fresh = await record(cmd.school_id, list(good.values()), caller) if good else set()
        for i, made in good.items():
            results.append(training.accepted_or_duplicate(i, made, fresh))
            fresh.discard(record_id_of(made))  # a second identical row is a duplicate
        return BatchResult.of(results)

    @rpc.handler("ListTraining")
    async def list_training(q: ListTraining, caller: Claims) -> list[TrainingView]:
        caller.require_role(q.school_id, TRAINING_READERS)
        return await training.records_of(db, q.school_id, q.person_id)

    @rpc.handler("TrainingStatus")
    async def training_status(q: TrainingStatusQuery, caller: Claims) -> list[StaffTraining]:
        caller.require_role(q.school_id, TRAINING_READERS)
        found = (await training.statuses(db, [q.school_id], clock().date()))[q.school_id]
        return [s for s in found if s.overdue or not q.overdue_only]

    @rpc.handler("LaTrainingOverdue")
    async def la_training(_: LaTrainingOverdue, caller: Claims) -> list[StaffTraining]:
        caller.require_role(caller.la_id, LA_ROLES)
        async with db.read() as conn:
            ids = list((await conn.execute(select(schools.c.school_id).where(
                schools.c.la_id == caller.la_id))).scalars())
        found = await training.statuses(db, ids, clock().date())
        return [s for school in sorted(found) for s in found[school] if s.overdue]

    @rpc.handler("IngestFilteringSummaries")
    async def ingest(cmd: IngestFilteringSummaries, caller: Claims) -> BatchResult:
        caller.require_scope(cmd.school_id, Scope.FILTERING_WRITE)
        return await filtering.ingest(kit.store, cmd.school_id, cmd.summaries, clock())

    @rpc.handler("ListFilteringSummaries")
    async def list_summaries(q: ListFilteringSummaries, caller: Claims
                             ) -> FilteringSummaryPage:
        caller.require_role(q.school_id, readers)
        return await filtering.page(db, q.school_id, q.offset, q.limit)

    @rpc.handler("ListReminders")
    async def list_reminders(q: ListReminders, caller: Claims) -> list[ReminderView]:
        caller.require_role(q.school_id, readers)
        return await reminders_of(db, q.school_id)

    @rpc.handler("SendReminders")
    async def send_reminders(_: SendReminders, caller: Claims) -> list[str]:
        """Now rather than at the next hourly run (the LA's admins; the demo)."""
        caller.require_role(caller.la_id, {Role.LA_ADMIN})
        return await reminding.send_due(caller.la_id)

    mail = MailSettings()
    mailer = Reminders(mail, sender(mail, kit.settings.data_dir), clock)
    return Duties(projections=[training.ComplianceStaff(), training.TrainingRecords(),
                               filtering.FilteringSummaries(), mailer],
                  tasks=[reminding.timer(), mailer.delivery(kit.db)],
                  tables=[filtering.held_metadata, mail_metadata], gauges=list(MAIL_GAUGES))
