"""A person's sanction record at a school: the recommendations for each incident they were
involved in, what was taken, skipped or added, their open tasks. One stream per person, so
"earlier warnings or sanctions within the window" is read from the record itself.

Because the matrix is a guide (Oakridge §17), staff take, skip or add actions; skipping and
adding need a reason. Taking an action with an effect sets it going in the same decision:
inform parents opens a task, removal of internet access orders it (until a date), technical
support gets a referral.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import assert_never

from services.sanction.domain.commands import AddAction, CompleteTask, SkipAction, TakeAction
from services.sanction.domain.events import (
    ActionAdded,
    ActionSkipped,
    ActionTaken,
    Column,
    Effect,
    IctReferralMade,
    InternetAccessRemovalOrdered,
    MatrixAudience,
    ParentContactTaskOpened,
    SanctionRecommended,
    TaskCompleted,
)
from services.sanction.domain.matrix import Matrix
from shared.decider import Decider
from shared.errors import AlreadyExists, InvalidInput, NotFound
from shared.events import Event

RECOMMENDED, ADDED, TAKEN, SKIPPED = "recommended", "added", "taken", "skipped"
PENDING = frozenset({RECOMMENDED, ADDED})


def record_id(school_id: str, person_id: str) -> str:
    return f"{school_id}.{person_id}"


def task_id(incident_id: str, person_id: str, action: str) -> str:
    return f"{incident_id}.{person_id}.{action}"


@dataclass(frozen=True)
class Case:
    """One incident, for this person."""

    incident_type: str
    audience: MatrixAudience
    actions: dict[str, Column] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    person_name: str = ""
    cases: dict[str, Case] = field(default_factory=dict)
    sanctions: tuple[tuple[str, datetime], ...] = ()  # (incident, when) of warnings/sanctions
    tasks: dict[str, tuple[str, bool]] = field(default_factory=dict)  # id -> (incident, open)


@dataclass(frozen=True)
class Recommend:
    """An incident classified with a type (the incident reaction), for one person."""

    school_id: str
    incident_id: str
    person_id: str
    person_name: str
    audience: MatrixAudience
    incident_type: str
    matrix: Matrix
    at: datetime


Handling = TakeAction | SkipAction | AddAction | CompleteTask


@dataclass(frozen=True)
class Acting:
    command: Handling
    by: str
    at: datetime
    by_name: str = ""
    column: Column | None = None  # for AddAction: the column of the school's current matrix


RecordCommand = Recommend | Acting


def decide(command: RecordCommand, state: Record) -> list[Event]:
    match command:
        case Recommend():
            return _recommend(command, state)
        case Acting(command=TakeAction() as cmd):
            return _take(cmd, command, state)
        case Acting(command=SkipAction() as cmd, by=by):
            _reason(cmd.reason, "drop")
            _pending(state, cmd.incident_id, cmd.action)
            return [ActionSkipped(incident_id=cmd.incident_id, person_id=cmd.person_id,
                                  action=cmd.action, reason=cmd.reason, by=by)]
        case Acting(command=AddAction() as cmd, by=by, column=column):
            _reason(cmd.reason, "add")
            case = _case(state, cmd.incident_id)
            if column is None:
                raise InvalidInput(f"{cmd.action} is not an action of this school's matrix",
                                   field="action")
            if case.status.get(cmd.action) in PENDING | {TAKEN}:
                raise AlreadyExists(f"{cmd.action} is already on the list", field="action")
            return [ActionAdded(incident_id=cmd.incident_id, person_id=cmd.person_id,
                                action=column, reason=cmd.reason, by=by)]
        case Acting(command=CompleteTask() as cmd, by=by):
            if cmd.task_id not in state.tasks:
                raise NotFound(f"no task {cmd.task_id} for this person", field="task_id")
            incident, still_open = state.tasks[cmd.task_id]
            if not still_open:
                raise InvalidInput("the task is done already", field="task_id")
            return [TaskCompleted(task_id=cmd.task_id, incident_id=incident,
                                  person_id=cmd.person_id, notes=cmd.notes, by=by)]
        case _:
            # mypy cannot narrow a dataclass by the class of its field: no assert_never here.
            raise AssertionError(f"unhandled command {command!r}")


def _recommend(cmd: Recommend, state: Record) -> list[Event]:
    row = cmd.matrix.row(cmd.incident_type)
    if row is None:
        return []  # not a type of this person's matrix (e.g. a pupil-only type, for staff)
    known = state.cases.get(cmd.incident_id)
    if known is not None and known.incident_type == cmd.incident_type:
        return []  # a redelivery, a replay, or a reclassification to the same type
    window = timedelta(days=cmd.matrix.window_days)
    earlier = sorted({i for i, at in state.sanctions
                      if i != cmd.incident_id and cmd.at - window <= at <= cmd.at})
    keys = list(row.actions)
    added: list[str] = []
    if earlier and cmd.matrix.escalation is not None:
        added = [a for a in cmd.matrix.escalation.actions if a not in keys]
        keys += added
    return [SanctionRecommended(
        incident_id=cmd.incident_id, person_id=cmd.person_id, person_name=cmd.person_name,
        audience=cmd.audience, incident_type=row.key, row_label=row.label,
        matrix_version=cmd.matrix.version, actions=cmd.matrix.columns(keys),
        escalation=added, earlier=earlier if cmd.matrix.escalation else [])]


def _take(cmd: TakeAction, acting: Acting, state: Record) -> list[Event]:
    column = _pending(state, cmd.incident_id, cmd.action)
    taken = ActionTaken(incident_id=cmd.incident_id, person_id=cmd.person_id,
                        action=cmd.action, label=column.label, sanction=column.sanction,
                        notes=cmd.notes, by=acting.by, by_name=acting.by_name,
                        taken_at=acting.at)
    match column.effect:
        case Effect.NONE:
            return [taken]
        case Effect.PARENT_TASK:
            return [taken, ParentContactTaskOpened(
                task_id=task_id(cmd.incident_id, cmd.person_id, cmd.action),
                incident_id=cmd.incident_id, person_id=cmd.person_id,
                person_name=state.person_name)]
        case Effect.REMOVE_ACCESS:
            if cmd.until is None or cmd.until <= acting.at.date():
                raise InvalidInput("give the day access is restored (after today)",
                                   field="until")
            return [taken, InternetAccessRemovalOrdered(
                person_id=cmd.person_id, school_id=cmd.school_id, until=cmd.until,
                reason=column.label, incident_id=cmd.incident_id)]
        case Effect.ICT_REFERRAL:
            audience = state.cases[cmd.incident_id].audience
            return [taken, IctReferralMade(incident_id=cmd.incident_id, person_id=cmd.person_id,
                                           audience=audience, notes=cmd.notes, by=acting.by)]
        case _:
            assert_never(column.effect)


def _reason(reason: str, verb: str) -> None:
    if not reason.strip():
        raise InvalidInput(f"give a reason to {verb} an action (the matrix is a guide; the "
                           "reason is recorded)", field="reason")


def _case(state: Record, incident_id: str) -> Case:
    if incident_id not in state.cases:
        raise NotFound(f"no recommendation for this person in incident {incident_id}",
                       field="incident_id")
    return state.cases[incident_id]


def _pending(state: Record, incident_id: str, action: str) -> Column:
    case = _case(state, incident_id)
    status = case.status.get(action)
    if status == TAKEN:
        raise AlreadyExists(f"{action} was taken already", field="action")
    if status not in PENDING:
        hint = "it was dropped" if status == SKIPPED else "it is not recommended"
        raise InvalidInput(f"{action}: {hint}; add it with a reason first", field="action")
    return case.actions[action]


def evolve(state: Record, event: Event) -> Record:
    match event:
        case SanctionRecommended():
            old = state.cases.get(event.incident_id, Case(event.incident_type, event.audience))
            kept = {k: v for k, v in old.status.items() if v == TAKEN}
            status = {c.key: RECOMMENDED for c in event.actions} | kept
            actions = {**old.actions, **{c.key: c for c in event.actions}}
            case = Case(event.incident_type, event.audience, actions, status)
            return replace(state, person_name=event.person_name,
                           cases={**state.cases, event.incident_id: case})
        case ActionAdded():
            case = state.cases[event.incident_id]
            return _with(state, event.incident_id, replace(
                case, actions={**case.actions, event.action.key: event.action},
                status={**case.status, event.action.key: ADDED}))
        case ActionSkipped() | ActionTaken():
            case = state.cases[event.incident_id]
            mark = SKIPPED if isinstance(event, ActionSkipped) else TAKEN
            state = _with(state, event.incident_id,
                          replace(case, status={**case.status, event.action: mark}))
            if isinstance(event, ActionTaken) and event.sanction:
                state = replace(state, sanctions=(*state.sanctions,
                                                  (event.incident_id, event.taken_at)))
            return state
        case ParentContactTaskOpened(task_id=tid, incident_id=iid):
            return replace(state, tasks={**state.tasks, tid: (iid, True)})
        case TaskCompleted(task_id=tid, incident_id=iid):
            return replace(state, tasks={**state.tasks, tid: (iid, False)})
        case _:
            return state


def _with(state: Record, incident_id: str, case: Case) -> Record:
    return replace(state, cases={**state.cases, incident_id: case})


record = Decider[RecordCommand, Record]("sanction-record", Record(), decide, evolve)
