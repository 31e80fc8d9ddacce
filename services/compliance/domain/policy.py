"""The school's e-safety policy document: versions with named roles and a review date."""

from __future__ import annotations

from dataclasses import dataclass

from services.compliance.domain.commands import PublishPolicyVersion
from services.compliance.domain.events import PolicyVersionPublished
from shared.decider import Decider
from shared.errors import InvalidInput
from shared.events import Event


@dataclass(frozen=True)
class Publishing:
    command: PublishPolicyVersion
    actor: str


@dataclass(frozen=True)
class Policy:
    version: int = 0


def decide(acting: Publishing, state: Policy) -> list[Event]:
    cmd = acting.command
    if cmd.next_review <= cmd.effective_from:
        raise InvalidInput("the next review must come after the policy takes effect",
                           field="next_review")
    return [PolicyVersionPublished(**cmd.model_dump(), version=state.version + 1,
                                   published_by=acting.actor)]


def evolve(state: Policy, event: Event) -> Policy:
    if isinstance(event, PolicyVersionPublished):
        return Policy(version=event.version)
    return state


policy = Decider[Publishing, Policy]("policy", Policy(), decide, evolve)
