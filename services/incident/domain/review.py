"""The termly review of a school's incident log: one record per school and term."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from services.incident.domain.commands import RecordTermlyReview
from services.incident.domain.events import TermlyReviewRecorded
from shared.decider import Decider
from shared.errors import AlreadyExists
from shared.events import Event


def review_id(school_id: str, term: str) -> str:
    return f"{school_id}.{term}"


@dataclass(frozen=True)
class Review:
    recorded: bool = False


@dataclass(frozen=True)
class Record:
    command: RecordTermlyReview
    reviewer: str
    reviewer_name: str = ""


def decide(command: Record, state: Review) -> list[Event]:
    match command:
        case Record(command=cmd, reviewer=who, reviewer_name=name):
            if state.recorded:
                raise AlreadyExists(f"the {cmd.term} review is already recorded", field="term")
            return [TermlyReviewRecorded(school_id=cmd.school_id, term=cmd.term, reviewer=who,
                                         reviewer_name=name, findings=cmd.findings)]
        case _:
            assert_never(command)


def evolve(state: Review, event: Event) -> Review:
    match event:
        case TermlyReviewRecorded():
            return Review(recorded=True)
        case _:
            return state


review = Decider[Record, Review]("incident-review", Review(), decide, evolve)
