"""The access decider: one stream per person holding their signatures and their entry in the
internet-access register. After every change it asks `assessment.transition` whether access
follows, given the school's current agreements that the handler loads and passes in (`Context`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import assert_never

from services.agreement.domain.assessment import (
    Context,
    Holder,
    Member,
    Signed,
    transition,
)
from services.agreement.domain.commands import SignAgreement, WithdrawConsent
from services.agreement.domain.events import (
    AccessGranted,
    AccessRevoked,
    AccessStatus,
    AccessSuspended,
    AgreementSigned,
    Audience,
    ConsentWithdrawn,
    SignMethod,
)
from services.agreement.domain.rules import ON_BEHALF, SIGNER, SUBJECT
from services.agreement.domain.template import Template
from shared.decider import Decider
from shared.errors import InvalidInput, NotFound
from shared.events import Event


@dataclass(frozen=True)
class Sign:
    command: SignAgreement
    signer: Member | None
    template: Template
    context: Context  # of the person the agreement is about
    recorded_by: str


@dataclass(frozen=True)
class Withdraw:
    command: WithdrawConsent
    signer: Member | None
    context: Context


@dataclass(frozen=True)
class Reassess:
    context: Context


@dataclass(frozen=True)
class Revoke:
    school_id: str
    person_id: str
    reason: str
    until: date | None  # None: for good


AccessCommand = Sign | Withdraw | Reassess | Revoke


def decide(command: AccessCommand, state: Holder) -> list[Event]:
    match command:
        case Sign():
            return _then_reassess(_sign(command, state), state, command.context)
        case Withdraw():
            return _then_reassess(_withdraw(command, state), state, command.context)
        case Reassess(context=ctx):
            return transition(state, ctx)
        case Revoke(school_id=school_id, person_id=person_id, reason=reason, until=until):
            if state.left or (state.status is AccessStatus.REVOKED
                              and state.revoked_until == until):
                return []
            return [AccessRevoked(person_id=person_id, school_id=school_id, reason=reason,
                                  until=until)]
        case _:
            assert_never(command)


def _subject(signer: Member | None, on_behalf_of: str | None, audience: Audience,
             ctx: Context) -> Member:
    """The person the agreement is about, checked against who signs for them."""
    person = ctx.person
    if signer is None or person is None:
        raise NotFound("no such person at this school", field="person_id")
    if person.left:
        raise InvalidInput(f"{person.person_id} has left the school", field="person_id")
    if audience in ON_BEHALF:
        if on_behalf_of is None or on_behalf_of not in signer.children:
            raise InvalidInput("a consent is given by a linked parent/carer for their pupil",
                               field="on_behalf_of")
    elif on_behalf_of is not None:
        raise InvalidInput(f"the {audience.value} agreement is signed in person",
                           field="on_behalf_of")
    if signer.kind is not SIGNER[audience] or person.kind is not SUBJECT[audience]:
        raise InvalidInput(f"a {signer.kind.value} cannot sign the {audience.value} agreement",
                           field="person_id")
    return person


def _sign(command: Sign, state: Holder) -> list[Event]:
    cmd, template, ctx = command.command, command.template, command.context
    if not template.exists or template.school_id != cmd.school_id or template.audience is None:
        raise NotFound(f"no agreement {cmd.template_id} at this school", field="template_id")
    if not any(v.version == cmd.version for v in template.versions):
        raise NotFound(f"no version {cmd.version} of {cmd.template_id}", field="version")
    audience = template.audience
    person = _subject(command.signer, cmd.on_behalf_of, audience, ctx)
    if cmd.method is SignMethod.PAPER and cmd.signed_on is None:
        raise InvalidInput("a paper form is recorded with the date on the form",
                           field="signed_on")
    signed_on = cmd.signed_on or ctx.as_of
    if signed_on > ctx.as_of:
        raise InvalidInput("a form cannot be signed in the future", field="signed_on")
    held = state.signed.get(audience)
    if held is not None and held.version >= cmd.version:
        return []  # already holds this version or a newer one
    return [AgreementSigned(
        person_id=person.person_id, school_id=cmd.school_id, template_id=cmd.template_id,
        audience=audience, version=cmd.version, method=cmd.method, signed_on=signed_on,
        signed_by=cmd.person_id, recorded_by=command.recorded_by)]


def _withdraw(command: Withdraw, state: Holder) -> list[Event]:
    cmd, ctx = command.command, command.context
    person = _subject(command.signer, cmd.on_behalf_of, cmd.audience, ctx)
    if cmd.audience not in state.signed:
        raise NotFound(f"no {cmd.audience.value} agreement to withdraw", field="audience")
    return [ConsentWithdrawn(person_id=person.person_id, school_id=cmd.school_id,
                             audience=cmd.audience, withdrawn_by=cmd.person_id,
                             withdrawn_on=cmd.withdrawn_on or ctx.as_of, reason=cmd.reason)]


def _then_reassess(new: list[Event], state: Holder, ctx: Context) -> list[Event]:
    return [*new, *transition(access.fold(new, state), ctx)] if new else []


def evolve(state: Holder, event: Event) -> Holder:
    match event:
        case AgreementSigned(school_id=school_id, audience=audience, version=v, signed_on=on):
            return replace(state, school_id=school_id,
                           signed={**state.signed, audience: Signed(v, on)})
        case ConsentWithdrawn(audience=audience):
            return replace(state, signed={a: s for a, s in state.signed.items() if a != audience})
        case AccessGranted(school_id=school_id):
            return replace(state, school_id=school_id, status=AccessStatus.GRANTED,
                           revoked_until=None)
        case AccessSuspended():
            return replace(state, status=AccessStatus.SUSPENDED, revoked_until=None)
        case AccessRevoked(school_id=school_id, until=until):
            return replace(state, school_id=school_id, status=AccessStatus.REVOKED,
                           revoked_until=until, left=until is None)
        case _:
            return state


access = Decider[AccessCommand, Holder]("access", Holder(), decide, evolve)
