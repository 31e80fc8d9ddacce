"""Where a person stands in the internet-access register: their signatures, and the access
that follows from them and the school's current agreements (pure; used by the access decider)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from services.agreement.domain.events import (
    AccessGranted,
    AccessRevoked,
    AccessStatus,
    AccessSuspended,
    Audience,
)
from services.agreement.domain.template import Template
from services.directory.domain.events import PersonKind
from shared.events import Event

LEFT_SCHOOL = "left school"


@dataclass(frozen=True)
class Member:
    """A person as the agreement service knows them from the directory's events."""

    person_id: str
    kind: PersonKind
    left: bool = False
    children: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Context:
    school_id: str
    person: Member | None  # None: the directory's enrolment has not reached us (yet)
    terms: Mapping[Audience, Template]  # the school's agreements
    required: frozenset[Audience]  # what this person needs for access
    as_of: date


@dataclass(frozen=True)
class Signed:
    version: int
    signed_on: date


@dataclass(frozen=True)
class Holder:
    school_id: str = ""
    signed: Mapping[Audience, Signed] = field(default_factory=dict)
    status: AccessStatus = AccessStatus.NONE
    revoked_until: date | None = None
    left: bool = False


def transition(state: Holder, ctx: Context) -> list[Event]:
    """The register entry that follows from the signatures, as events (none if unchanged)."""
    person = ctx.person
    if person is None or state.left:
        return []
    pid, school = person.person_id, ctx.school_id
    if person.left:
        return [AccessRevoked(person_id=pid, school_id=school, reason=LEFT_SCHOOL)]
    if state.revoked_until is not None and ctx.as_of < state.revoked_until:
        return []
    if not ctx.required:
        return []  # this kind of person holds no internet access here
    missing = missing_signatures(state, ctx)
    if not missing:
        if state.status is AccessStatus.GRANTED:
            return []
        signed = ", ".join(f"{a.value} v{state.signed[a].version}" for a in sorted(ctx.required))
        return [AccessGranted(person_id=pid, school_id=school, reason=f"signed {signed}")]
    if state.status in (AccessStatus.GRANTED, AccessStatus.REVOKED):
        return [AccessSuspended(person_id=pid, school_id=school, reason="; ".join(missing))]
    return []


def missing_signatures(state: Holder, ctx: Context) -> list[str]:
    missing = []
    for audience in sorted(ctx.required):
        terms, held = ctx.terms.get(audience), state.signed.get(audience)
        current = terms.current(ctx.as_of) if terms else None
        if terms is None or current is None:
            missing.append(f"no {audience.value} agreement is published")
        elif held is None:
            missing.append(f"{audience.value} agreement not signed")
        elif not terms.accepts(held.version, ctx.as_of):
            missing.append(f"{audience.value} agreement v{current.version} not signed "
                           f"(grace period ended {current.grace_ends.isoformat()})")
    return missing
