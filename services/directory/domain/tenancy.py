"""The tenants people belong to: the local authority and its schools (one decider each)."""

from __future__ import annotations

from dataclasses import dataclass

from services.directory.domain.commands import EstablishAuthority, OnboardSchool
from services.directory.domain.events import AuthorityEstablished, SchoolOnboarded
from shared.decider import Decider
from shared.errors import AlreadyExists
from shared.events import Event


@dataclass(frozen=True)
class Tenant:
    exists: bool = False
    la_id: str = ""
    name: str = ""


def decide_authority(command: EstablishAuthority, state: Tenant) -> list[Event]:
    if state.exists:
        raise AlreadyExists(f"local authority {command.la_id} already exists", field="la_id")
    return [AuthorityEstablished(la_id=command.la_id, name=command.name)]


def decide_school(command: OnboardSchool, state: Tenant) -> list[Event]:
    if state.exists:
        raise AlreadyExists(f"school {command.school_id} is already onboarded",
                            field="school_id")
    return [SchoolOnboarded(school_id=command.school_id, la_id=command.la_id, name=command.name,
                            urn=command.urn, phase=command.phase)]


def evolve_tenant(state: Tenant, event: Event) -> Tenant:
    match event:
        case AuthorityEstablished(la_id=la_id, name=name):
            return Tenant(True, la_id, name)
        case SchoolOnboarded(la_id=la_id, name=name):
            return Tenant(True, la_id, name)
        case _:
            return state


authority = Decider[EstablishAuthority, Tenant]("authority", Tenant(), decide_authority,
                                                evolve_tenant)
school = Decider[OnboardSchool, Tenant]("school", Tenant(), decide_school, evolve_tenant)
