"""The access decider: signatures, consents and the internet-access register."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.agreement.domain.access import (
    AccessCommand,
    Reassess,
    Revoke,
    Sign,
    Withdraw,
    access,
)
from services.agreement.domain.assessment import Context, Member
from services.agreement.domain.commands import SignAgreement, WithdrawConsent
from services.agreement.domain.events import (
    AccessGranted,
    AccessRevoked,
    AccessSuspended,
    AgreementSigned,
    Audience,
    ConsentWithdrawn,
    SignMethod,
    TemplateCreated,
    VersionPublished,
)
from services.agreement.domain.rules import DEFAULT_RULES
from services.agreement.domain.template import Template, template
from services.directory.domain.events import PersonKind
from shared.errors import InvalidInput, NotFound
from shared.events import Event

SCHOOL = "oakridge"
TODAY = date(2026, 1, 10)
PUPIL = Member("p1", PersonKind.PUPIL)
PARENT = Member("g1", PersonKind.PARENT, children=frozenset({"p1"}))
STAFF = Member("s1", PersonKind.STAFF)


def terms(audience: Audience, *effective: date, school: str = SCHOOL,
          grace: int = 14) -> Template:
    tid = f"{school}.{audience.value}"
    return template.fold([
        TemplateCreated(template_id=tid, school_id=school, audience=audience, title="t"),
        *(VersionPublished(template_id=tid, school_id=school, audience=audience, version=n,
                           text="x", effective_from=on, grace_days=grace, published_by="h")
          for n, on in enumerate(effective, start=1))])


SCHOOL_TERMS = {a: terms(a, date(2025, 9, 1)) for a in Audience}


def ctx(person: Member | None, as_of: date = TODAY,
        school_terms: dict[Audience, Template] = SCHOOL_TERMS) -> Context:
    required = DEFAULT_RULES.get(person.kind, frozenset()) if person else frozenset()
    return Context(SCHOOL, person, school_terms, required, as_of)


def sign(audience: Audience, signer: Member, subject: Member, version: int = 1,
         school_terms: dict[Audience, Template] = SCHOOL_TERMS, as_of: date = TODAY,
         **extra: Any) -> Sign:
    cmd = SignAgreement.model_validate({
        "school_id": SCHOOL, "person_id": signer.person_id, "template_id":
        f"{SCHOOL}.{audience.value}", "version": version, **extra})
    return Sign(cmd, signer, school_terms[audience], ctx(subject, as_of, school_terms), "s9")


def signed(audience: Audience, person: str = "p1", by: str = "p1",
           version: int = 1) -> AgreementSigned:
    return AgreementSigned(person_id=person, school_id=SCHOOL, template_id=f"{SCHOOL}.{audience}",
                           audience=audience, version=version, method=SignMethod.ONLINE,
                           signed_on=TODAY, signed_by=by, recorded_by="s9")


def when(given: list[Event], command: AccessCommand) -> list[Event]:
    return list(access.decide(command, access.fold(given)))


GRANTED = AccessGranted(person_id="p1", school_id=SCHOOL,
                        reason="signed parent_consent v1, pupil v1")
PUPIL_SIGNED = signed(Audience.PUPIL)
PARENT_SIGNED = signed(Audience.PARENT_CONSENT, by="g1")


class TestSigning:
    def test_a_pupil_signs_without_access_until_a_parent_consents(self) -> None:
        assert when([], sign(Audience.PUPIL, PUPIL, PUPIL)) == [PUPIL_SIGNED]

    def test_access_is_granted_when_every_required_signature_exists(self) -> None:
        assert when([PUPIL_SIGNED], sign(Audience.PARENT_CONSENT, PARENT, PUPIL,
                                         on_behalf_of="p1")) == [PARENT_SIGNED, GRANTED]

    def test_a_staff_member_needs_only_the_staff_agreement(self) -> None:
        [_, granted] = when([], sign(Audience.STAFF, STAFF, STAFF))
        assert granted == AccessGranted(person_id="s1", school_id=SCHOOL,
                                        reason="signed staff v1")

    def test_signing_the_same_version_again_changes_nothing(self) -> None:
        assert when([PUPIL_SIGNED], sign(Audience.PUPIL, PUPIL, PUPIL)) == []

    def test_the_wrong_schools_version_is_refused(self) -> None:
        foreign = {**SCHOOL_TERMS, Audience.PUPIL: terms(Audience.PUPIL, date(2025, 9, 1),
                                                         school="glenfield")}
        with pytest.raises(NotFound) as err:
            when([], sign(Audience.PUPIL, PUPIL, PUPIL, school_terms=foreign))
        assert err.value.field == "template_id"

    def test_an_unpublished_version_is_refused(self) -> None:
        with pytest.raises(NotFound):
            when([], sign(Audience.PUPIL, PUPIL, PUPIL, version=2))

    @pytest.mark.parametrize(("audience", "signer", "subject", "extra"), [
        (Audience.PARENT_CONSENT, PARENT, PUPIL, {}),  # consent names the pupil
        (Audience.PARENT_CONSENT, Member("g2", PersonKind.PARENT), PUPIL,
         {"on_behalf_of": "p1"}),  # not this pupil's parent
        (Audience.STAFF, PUPIL, PUPIL, {}),  # a pupil cannot sign the staff agreement
        (Audience.PUPIL, PUPIL, PUPIL, {"on_behalf_of": "p1"}),
        (Audience.PUPIL, PUPIL, Member("p1", PersonKind.PUPIL, left=True), {}),
    ])
    def test_who_signs_what_is_checked(self, audience: Audience, signer: Member,
                                       subject: Member, extra: dict[str, Any]) -> None:
        with pytest.raises(InvalidInput):
            when([], sign(audience, signer, subject, **extra))

    def test_a_paper_form_carries_its_date(self) -> None:
        with pytest.raises(InvalidInput) as err:
            when([], sign(Audience.PUPIL, PUPIL, PUPIL, method="paper"))
        assert err.value.field == "signed_on"
        [event] = when([], sign(Audience.PUPIL, PUPIL, PUPIL, method="paper",
                                signed_on=date(2026, 1, 2)))
        assert isinstance(event, AgreementSigned) and event.signed_on == date(2026, 1, 2)

    def test_an_unknown_person_is_not_found(self) -> None:
        known = sign(Audience.PUPIL, PUPIL, PUPIL)
        with pytest.raises(NotFound):
            when([], Sign(known.command, None, known.template, ctx(None), "s9"))


V2_TERMS = {**SCHOOL_TERMS,
            Audience.PUPIL: terms(Audience.PUPIL, date(2025, 9, 1), date(2026, 1, 10))}


class TestNewVersion:
    def test_holders_keep_access_during_the_grace_period(self) -> None:
        assert when([PUPIL_SIGNED, PARENT_SIGNED, GRANTED],
                    Reassess(ctx(PUPIL, date(2026, 1, 23), V2_TERMS))) == []

    def test_access_is_suspended_when_the_grace_period_ends(self) -> None:
        [event] = when([PUPIL_SIGNED, PARENT_SIGNED, GRANTED],
                       Reassess(ctx(PUPIL, date(2026, 1, 24), V2_TERMS)))
        assert isinstance(event, AccessSuspended)
        assert "pupil agreement v2 not signed" in event.reason

    def test_signing_the_new_version_grants_it_again(self) -> None:
        suspended = AccessSuspended(person_id="p1", school_id=SCHOOL, reason="x")
        events = when([PUPIL_SIGNED, PARENT_SIGNED, GRANTED, suspended],
                      sign(Audience.PUPIL, PUPIL, PUPIL, version=2, school_terms=V2_TERMS,
                           as_of=date(2026, 2, 1)))
        assert [type(e) for e in events] == [AgreementSigned, AccessGranted]

    def test_nobody_is_suspended_who_never_had_access(self) -> None:
        assert when([PUPIL_SIGNED], Reassess(ctx(PUPIL, date(2026, 3, 1), V2_TERMS))) == []


class TestWithdrawal:
    def withdraw(self, audience: Audience = Audience.PARENT_CONSENT) -> Withdraw:
        cmd = WithdrawConsent(school_id=SCHOOL, person_id="g1", audience=audience,
                              reason="changed my mind", on_behalf_of="p1")
        return Withdraw(cmd, PARENT, ctx(PUPIL))

    def test_withdrawing_consent_suspends_access(self) -> None:
        events = when([PUPIL_SIGNED, PARENT_SIGNED, GRANTED], self.withdraw())
        assert events[0] == ConsentWithdrawn(
            person_id="p1", school_id=SCHOOL, audience=Audience.PARENT_CONSENT,
            withdrawn_by="g1", withdrawn_on=TODAY, reason="changed my mind")
        assert isinstance(events[1], AccessSuspended)
        assert "parent_consent agreement not signed" in events[1].reason

    def test_withdrawing_photo_consent_leaves_access_alone(self) -> None:
        photo = signed(Audience.PHOTO_CONSENT, by="g1")
        events = when([PUPIL_SIGNED, PARENT_SIGNED, GRANTED, photo],
                      self.withdraw(Audience.PHOTO_CONSENT))
        assert [type(e) for e in events] == [ConsentWithdrawn]

    def test_nothing_to_withdraw_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            when([PUPIL_SIGNED], self.withdraw())


class TestRevoke:
    LEFT = Revoke(SCHOOL, "p1", "left school", until=None)

    def test_a_leaver_loses_access_once(self) -> None:
        revoked = AccessRevoked(person_id="p1", school_id=SCHOOL, reason="left school")
        assert when([PUPIL_SIGNED, PARENT_SIGNED, GRANTED], self.LEFT) == [revoked]
        assert when([PUPIL_SIGNED, PARENT_SIGNED, GRANTED, revoked], self.LEFT) == []

    def test_nothing_restores_a_leavers_access(self) -> None:
        revoked = AccessRevoked(person_id="p1", school_id=SCHOOL, reason="left school")
        assert when([PUPIL_SIGNED, PARENT_SIGNED, revoked], Reassess(ctx(PUPIL))) == []

    def test_a_sanction_revokes_until_a_date_then_access_returns(self) -> None:
        until = date(2026, 2, 1)
        sanction = Revoke(SCHOOL, "p1", "misuse", until=until)
        [revoked] = when([PUPIL_SIGNED, PARENT_SIGNED, GRANTED], sanction)
        given: list[Event] = [PUPIL_SIGNED, PARENT_SIGNED, GRANTED, revoked]
        assert when(given, sanction) == []
        assert when(given, Reassess(ctx(PUPIL, date(2026, 1, 31)))) == []
        assert [type(e) for e in when(given, Reassess(ctx(PUPIL, until)))] == [AccessGranted]

    def test_a_reassessment_revokes_a_leaver_the_reaction_has_not_reached(self) -> None:
        gone = Member("p1", PersonKind.PUPIL, left=True)
        [event] = when([PUPIL_SIGNED, PARENT_SIGNED, GRANTED], Reassess(ctx(gone)))
        assert isinstance(event, AccessRevoked) and event.until is None
