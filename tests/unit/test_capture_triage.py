"""The keyword library deciders and triage: exclusions audited, matching whole words."""

from __future__ import annotations

import pytest

from services.capture.domain.events import (
    Category,
    LibraryPhrasesAdded,
    Phrase,
    Priority,
    SchoolPhraseAdded,
    SchoolPhraseExcluded,
)
from services.capture.domain.library import (
    AddPhrases,
    AddSchoolPhrase,
    ExcludePhrase,
    RemovePhrase,
    library,
    school_keywords,
)
from services.capture.domain.triage import Matcher, effective, triage
from shared.errors import InvalidInput, NotFound
from shared.events import Event

LA = "la-northshire"
FIGHT = Phrase(phrase="meet me after school", category=Category.VIOLENCE, severity=3)
BET = Phrase(phrase="place a bet", category=Category.GAMBLING, severity=2)
HURT = Phrase(phrase="hurt myself", category=Category.SELF_HARM, severity=5)
LIBRARY: list[Event] = [LibraryPhrasesAdded(la_id=LA, phrases=[FIGHT, BET, HURT], by="admin")]


class TestLibrary:
    def test_phrases_are_stored_normalised_and_only_when_changed(self) -> None:
        cmd = AddPhrases(LA, (Phrase(phrase="  Place A   Bet", category=Category.GAMBLING,
                                     severity=2),), "admin")
        assert library.decide(cmd, library.fold(LIBRARY)) == []
        cmd = AddPhrases(LA, (BET.model_copy(update={"severity": 3}),), "admin")
        assert library.decide(cmd, library.fold(LIBRARY)) == [LibraryPhrasesAdded(
            la_id=LA, phrases=[BET.model_copy(update={"severity": 3})], by="admin")]

    def test_removing_an_unknown_phrase_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            library.decide(RemovePhrase(LA, "nope", "admin"), library.fold(LIBRARY))


class TestSchoolChanges:
    def test_an_exclusion_needs_a_reason(self) -> None:
        with pytest.raises(InvalidInput) as err:
            school_keywords.decide(ExcludePhrase("place a bet", " ", "dsl", True),
                                   school_keywords.initial)
        assert err.value.field == "reason"

    def test_an_exclusion_is_recorded_with_its_reason_once(self) -> None:
        cmd = ExcludePhrase("Place a BET", "maths lesson on probability", "dsl", True)
        excluded = SchoolPhraseExcluded(phrase="place a bet",
                                        reason="maths lesson on probability", by="dsl")
        assert school_keywords.decide(cmd, school_keywords.initial) == [excluded]
        assert school_keywords.decide(cmd, school_keywords.fold([excluded])) == []

    def test_excluding_a_phrase_the_library_lacks_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            school_keywords.decide(ExcludePhrase("typo", "a good reason", "dsl", False),
                                   school_keywords.initial)

    def test_exclusions_and_additions_shape_the_effective_library(self) -> None:
        own = Phrase(phrase="blue whale", category=Category.SELF_HARM, severity=4)
        school = school_keywords.fold([
            SchoolPhraseExcluded(phrase="place a bet", reason="maths lesson", by="dsl"),
            SchoolPhraseAdded(phrase=own, reason="local trend", by="dsl")])
        found = {m.phrase: m.source for m in effective(library.fold(LIBRARY), school)}
        assert found == {"meet me after school": "la", "hurt myself": "la",
                         "blue whale": "school"}

    def test_a_school_addition_is_audited(self) -> None:
        cmd = AddSchoolPhrase(FIGHT, "fights reported at the gates", "dsl")
        assert school_keywords.decide(cmd, school_keywords.initial) == [SchoolPhraseAdded(
            phrase=FIGHT, reason="fights reported at the gates", by="dsl")]


class TestTriage:
    MATCHER = Matcher(effective(library.fold(LIBRARY), school_keywords.initial))

    def test_whole_words_case_insensitive_across_trigger_and_excerpt(self) -> None:
        found = self.MATCHER.find("MEET me  after\nschool", "I want to Hurt myself.")
        assert [m.phrase for m in found] == ["meet me after school", "hurt myself"]

    def test_no_match_inside_a_longer_word(self) -> None:
        assert self.MATCHER.find("replace a betting slip", "shurt myselfie") == []

    def test_severity_is_the_highest_of_matches_and_the_product(self) -> None:
        t = triage("c1", self.MATCHER, "place a bet", "", "gaming", 4)
        assert (t.category, t.severity, t.priority) == (Category.GAMBLING, 4, Priority.HIGH)
        t = triage("c1", self.MATCHER, "hurt myself", "place a bet", None, None)
        assert (t.category, t.severity, t.priority) == (Category.SELF_HARM, 5, Priority.URGENT)

    def test_nothing_matched_keeps_the_products_category_if_ours(self) -> None:
        t = triage("c1", self.MATCHER, "hello", "", "Gaming", None)
        assert (t.category, t.severity, t.priority) == (Category.GAMING, 1, Priority.LOW)
        assert triage("c1", self.MATCHER, "hello", "", "odd", 3).category \
            is Category.UNCLASSIFIED
