"""The access rules decider: per school, with the policies' default."""

from __future__ import annotations

import pytest

from services.agreement.domain.commands import SetAccessRules
from services.agreement.domain.events import AccessRulesSet, Audience
from services.agreement.domain.rules import rules
from services.directory.domain.events import PersonKind
from shared.errors import InvalidInput

SCHOOL = "glenfield"


def when(given: list[AccessRulesSet], wanted: dict[PersonKind, list[Audience]]) -> list[object]:
    return list(rules.decide(SetAccessRules(school_id=SCHOOL, rules=wanted), rules.fold(given)))


class TestRules:
    def test_the_default_asks_pupils_for_their_own_agreement_and_a_parents_consent(self) -> None:
        assert rules.initial.required(PersonKind.PUPIL) == {Audience.PUPIL,
                                                             Audience.PARENT_CONSENT}
        assert rules.initial.required(PersonKind.PARENT) == frozenset()

    def test_a_school_may_ask_for_photo_consent_too(self) -> None:
        wanted = {PersonKind.PUPIL: [Audience.PUPIL, Audience.PARENT_CONSENT,
                                     Audience.PHOTO_CONSENT]}
        [event] = when([], wanted)
        assert isinstance(event, AccessRulesSet)
        state = rules.fold([event])
        assert Audience.PHOTO_CONSENT in state.required(PersonKind.PUPIL)
        assert state.required(PersonKind.STAFF) == {Audience.STAFF}  # others keep theirs
        assert when([event], wanted) == []

    def test_an_agreement_about_someone_else_is_refused(self) -> None:
        with pytest.raises(InvalidInput):
            when([], {PersonKind.STAFF: [Audience.PUPIL]})
