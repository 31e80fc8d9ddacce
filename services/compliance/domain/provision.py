"""A school's filtering and monitoring provision: the named roles, the annual review, the log
of checks (DfE "Filtering and monitoring standards for schools and colleges")."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import assert_never

from services.compliance.domain.commands import (
    AssignResponsibility,
    RecordProvisionCheck,
    RecordProvisionReview,
)
from services.compliance.domain.events import (
    ProvisionChecked,
    ProvisionReviewed,
    Responsibility,
    ResponsibilityAssigned,
)
from shared.decider import Decider
from shared.errors import AlreadyExists, InvalidInput
from shared.events import Event

REVIEW_EVERY = timedelta(days=365)  # "at least annually"


@dataclass(frozen=True)
class Acting:
    """A command with who gives it (from the claims) and the day it is decided on."""

    command: AssignResponsibility | RecordProvisionReview | RecordProvisionCheck
    actor: str
    today: date
    check_id: str = ""


@dataclass(frozen=True)
class Provision:
    holders: dict[Responsibility, tuple[str, str | None]] = field(default_factory=dict)
    reviewed_on: frozenset[date] = frozenset()


def decide(acting: Acting, state: Provision) -> list[Event]:
    cmd, who = acting.command, acting.actor
    match cmd:
        case AssignResponsibility():
            if state.holders.get(cmd.responsibility) == (cmd.holder, cmd.person_id):
                return []
            return [ResponsibilityAssigned(**cmd.model_dump(), assigned_by=who)]
        case RecordProvisionReview():
            _not_ahead(cmd.reviewed_on, acting.today, "reviewed_on")
            due = cmd.next_due or cmd.reviewed_on + REVIEW_EVERY
            if due <= cmd.reviewed_on:
                raise InvalidInput("the next review is due after this one", field="next_due")
            if cmd.reviewed_on in state.reviewed_on:
                raise AlreadyExists(f"a review on {cmd.reviewed_on} is already recorded",
                                    field="reviewed_on")
            return [ProvisionReviewed(**cmd.model_dump(exclude={"next_due"}), next_due=due,
                                      reviewed_by=who)]
        case RecordProvisionCheck():
            _not_ahead(cmd.checked_on, acting.today, "checked_on")
            return [ProvisionChecked(**cmd.model_dump(), check_id=acting.check_id,
                                     checked_by=who)]
        case _:
            assert_never(cmd)


def _not_ahead(day: date, today: date, name: str) -> None:
    if day > today:
        raise InvalidInput(f"{name} {day} is in the future", field=name)


def evolve(state: Provision, event: Event) -> Provision:
    match event:
        case ResponsibilityAssigned():
            return replace(state, holders={**state.holders,
                                           event.responsibility: (event.holder, event.person_id)})
        case ProvisionReviewed():
            return replace(state, reviewed_on=state.reviewed_on | {event.reviewed_on})
        case _:
            return state


provision = Decider[Acting, Provision]("provision", Provision(), decide, evolve)
