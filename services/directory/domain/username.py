"""Usernames are unique across the LA: each has its own stream, claimed once."""

from __future__ import annotations

from dataclasses import dataclass

from services.directory.domain.events import UsernameClaimed
from shared.decider import Decider
from shared.errors import AlreadyExists
from shared.events import Event


@dataclass(frozen=True)
class ClaimUsername:
    username: str
    person_id: str


@dataclass(frozen=True)
class Username:
    holder: str | None = None


def decide(command: ClaimUsername, state: Username) -> list[Event]:
    if state.holder is not None:
        raise AlreadyExists(f"the username {command.username} is taken", field="username")
    return [UsernameClaimed(username=command.username, person_id=command.person_id)]


def evolve(state: Username, event: Event) -> Username:
    if isinstance(event, UsernameClaimed):
        return Username(holder=event.person_id)
    return state


username = Decider[ClaimUsername, Username]("username", Username(), decide, evolve)
