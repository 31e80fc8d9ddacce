"""The daily digest: one per school and day, so a timer that runs again (after a restart, or
on two replicas) sends nothing twice. The stream id names the school and the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.capture.domain.events import DigestSent
from shared.decider import Decider
from shared.errors import InvalidInput
from shared.events import Event


def digest_id_of(school_id: str, day: date) -> str:
    return f"{school_id}:{day.isoformat()}"


@dataclass(frozen=True)
class SendDigest:
    digest: DigestSent
    today: date  # a day's digest goes once the day is over


def decide(command: SendDigest, sent: bool) -> list[Event]:
    if command.digest.day >= command.today:
        raise InvalidInput("a day's digest goes once the day is over", field="day")
    return [] if sent else [command.digest]


def evolve(sent: bool, event: Event) -> bool:
    return sent or isinstance(event, DigestSent)


digest = Decider[SendDigest, bool]("digest", False, decide, evolve)
