"""The sanction read model: matrix versions, recommendations with the state of each action,
parent-contact tasks and referrals to technical support."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.sanction.domain.events import (
    ActionAdded,
    ActionSkipped,
    ActionTaken,
    IctReferralMade,
    MatrixPublished,
    ParentContactTaskOpened,
    SanctionRecommended,
    TaskCompleted,
)
from services.sanction.domain.record import ADDED, RECOMMENDED, SKIPPED, TAKEN
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()

matrices = Table(
    "sanction_matrices", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("audience", String(20), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("window_days", Integer, nullable=False),
    Column("body", JSON, nullable=False),  # actions, rows, escalation as published
    Column("by", String(64), nullable=False),
    Column("by_name", String(200), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)
recommendations = Table(
    "sanction_recommendations", metadata,
    Column("incident_id", String(80), primary_key=True),
    Column("person_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("person_name", String(200), nullable=False),
    Column("audience", String(20), nullable=False),
    Column("incident_type", String(120), nullable=False),
    Column("row_label", Text, nullable=False),
    Column("matrix_version", Integer, nullable=False),
    Column("escalated", Boolean, nullable=False),
    Column("earlier", String(2000), nullable=False),  # space-separated incident ids
    Column("recommended_at", DateTime(timezone=True), nullable=False),
)
actions = Table(
    "sanction_actions", metadata,
    Column("incident_id", String(80), primary_key=True),
    Column("person_id", String(64), primary_key=True),
    Column("action", String(40), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("label", Text, nullable=False),
    Column("effect", String(20), nullable=False),
    Column("sanction", Boolean, nullable=False),
    Column("escalation", Boolean, nullable=False),
    Column("status", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("by", String(64)),
    Column("by_name", String(200)),
    Column("at", DateTime(timezone=True)),
)
tasks = Table(
    "sanction_tasks", metadata,
    Column("task_id", String(200), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("incident_id", String(80), nullable=False),
    Column("person_id", String(64), nullable=False),
    Column("person_name", String(200), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("done", Boolean, nullable=False),
    Column("done_at", DateTime(timezone=True)),
    Column("done_by", String(64)),
    Column("notes", Text, nullable=False),
)
referrals = Table(
    "sanction_ict_referrals", metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("incident_id", String(80), nullable=False),
    Column("person_id", String(64), nullable=False),
    Column("audience", String(20), nullable=False),
    Column("notes", Text, nullable=False),
    Column("by", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

HANDLED = (MatrixPublished, SanctionRecommended, ActionAdded, ActionSkipped, ActionTaken,
           ParentContactTaskOpened, TaskCompleted, IctReferralMade)


class Sanctions(Projection):
    name = "sanction-log"
    sources = ("sanction",)
    handles = frozenset(e.type_name for e in HANDLED)
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case MatrixPublished():
                await conn.execute(insert(matrices).values(
                    school_id=event.school_id, audience=event.audience.value,
                    version=event.version, window_days=event.window_days,
                    body=event.model_dump(mode="json", include={"actions", "rows",
                                                                "escalation"}),
                    by=event.by, by_name=event.by_name, published_at=env.occurred_at))
            case SanctionRecommended():
                await _recommended(conn, env, event)
            case ActionAdded():
                a = actions.c
                # Re-adding a dropped action replaces its row.
                await conn.execute(delete(actions).where(
                    a.incident_id == event.incident_id, a.person_id == event.person_id,
                    a.action == event.action.key))
                await conn.execute(insert(actions).values(
                    incident_id=event.incident_id, person_id=event.person_id,
                    action=event.action.key, position=1000, label=event.action.label,
                    effect=event.action.effect.value, sanction=event.action.sanction,
                    escalation=False, status=ADDED, reason=event.reason, notes="",
                    by=event.by, at=env.occurred_at))
            case ActionSkipped():
                await _mark(conn, event.incident_id, event.person_id, event.action,
                            status=SKIPPED, reason=event.reason, by=event.by,
                            at=env.occurred_at)
            case ActionTaken():
                await _mark(conn, event.incident_id, event.person_id, event.action,
                            status=TAKEN, notes=event.notes, by=event.by,
                            by_name=event.by_name, at=env.occurred_at)
            case ParentContactTaskOpened():
                await conn.execute(insert(tasks).values(
                    task_id=event.task_id, school_id=env.school_id,
                    incident_id=event.incident_id, person_id=event.person_id,
                    person_name=event.person_name, opened_at=env.occurred_at, done=False,
                    notes=""))
            case TaskCompleted():
                await conn.execute(update(tasks).where(tasks.c.task_id == event.task_id).values(
                    done=True, done_at=env.occurred_at, done_by=event.by, notes=event.notes))
            case IctReferralMade():
                await conn.execute(insert(referrals).values(
                    event_id=env.event_id, school_id=env.school_id,
                    incident_id=event.incident_id, person_id=event.person_id,
                    audience=event.audience.value, notes=event.notes, by=event.by,
                    at=env.occurred_at))


async def _recommended(conn: AsyncConnection, env: Envelope, event: SanctionRecommended) -> None:
    key = (recommendations.c.incident_id == event.incident_id,
           recommendations.c.person_id == event.person_id)
    await conn.execute(delete(recommendations).where(*key))
    await conn.execute(insert(recommendations).values(
        incident_id=event.incident_id, person_id=event.person_id, school_id=env.school_id,
        person_name=event.person_name, audience=event.audience.value,
        incident_type=event.incident_type, row_label=event.row_label,
        matrix_version=event.matrix_version, escalated=bool(event.escalation),
        earlier=" ".join(event.earlier), recommended_at=env.occurred_at))
    # A new type replaces what is still open; what was taken stays on the record.
    a = actions.c
    await conn.execute(delete(actions).where(
        a.incident_id == event.incident_id, a.person_id == event.person_id, a.status != TAKEN))
    rows = [{"incident_id": event.incident_id, "person_id": event.person_id, "action": c.key,
             "position": i, "label": c.label, "effect": c.effect.value, "sanction": c.sanction,
             "escalation": c.key in event.escalation, "status": RECOMMENDED, "reason": "",
             "notes": ""} for i, c in enumerate(event.actions)]
    taken = set((await conn.execute(select(a.action).where(
        a.incident_id == event.incident_id, a.person_id == event.person_id))).scalars())
    rows = [r for r in rows if r["action"] not in taken]
    if rows:
        await conn.execute(insert(actions), rows)


async def _mark(conn: AsyncConnection, incident_id: str, person_id: str, action: str,
                **values: object) -> None:
    await conn.execute(update(actions).where(
        actions.c.incident_id == incident_id, actions.c.person_id == person_id,
        actions.c.action == action).values(**values))
