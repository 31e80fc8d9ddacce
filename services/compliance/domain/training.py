"""Staff training: each school's records (induction, the annual refresher), recorded once each;
and who is due or overdue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from services.compliance.domain.commands import RecordTraining
from services.compliance.domain.events import TrainingKind, TrainingRecorded
from shared.decider import Decider
from shared.errors import InvalidInput
from shared.events import Event

REFRESH_EVERY = timedelta(days=365)  # KCSIE: "regularly updated", at least annually


def record_id_of(cmd: RecordTraining) -> str:
    return f"{cmd.person_id}:{cmd.kind.value}:{cmd.completed_on.isoformat()}"


@dataclass(frozen=True)
class Recording:
    """Records for one school (one, or a CSV's rows), by who, on which day."""

    records: tuple[RecordTraining, ...]
    actor: str
    today: date


def decide(acting: Recording, known: frozenset[str]) -> list[Event]:
    out: list[Event] = []
    seen = set(known)
    for cmd in acting.records:
        if cmd.completed_on > acting.today:
            raise InvalidInput(f"completed_on {cmd.completed_on} is in the future",
                               field="completed_on")
        rid = record_id_of(cmd)
        if rid in seen:
            continue  # already recorded: a re-sent register changes nothing
        seen.add(rid)
        out.append(TrainingRecorded(**cmd.model_dump(), record_id=rid,
                                    recorded_by=acting.actor))
    return out


def evolve(known: frozenset[str], event: Event) -> frozenset[str]:
    if isinstance(event, TrainingRecorded):
        return known | {event.record_id}
    return known


training = Decider[Recording, frozenset[str]]("training", frozenset(), decide, evolve)


@dataclass(frozen=True)
class Standing:
    last_induction: date | None
    last_refresher: date | None
    due_on: date | None  # None: never trained, so due now
    overdue: bool
    reason: str | None  # why overdue, in words


def standing(records: Iterable[tuple[TrainingKind, date]], today: date) -> Standing:
    """Induction once; then a refresher within a year of the last training of either kind."""
    done = list(records)
    inductions = [d for k, d in done if k is TrainingKind.INDUCTION]
    refreshers = [d for k, d in done if k is TrainingKind.REFRESHER]
    last = max(inductions + refreshers, default=None)
    due = last + REFRESH_EVERY if last else None
    reason = None
    if not inductions:
        reason = "no induction recorded"
    elif due is not None and due < today:
        reason = f"refresher due {due.isoformat()}"
    return Standing(max(inductions, default=None), max(refreshers, default=None), due,
                    reason is not None, reason)
