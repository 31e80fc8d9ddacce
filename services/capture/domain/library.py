"""The keyword library: the LA's phrases (one stream per LA) and each school's own additions
and exclusions (one stream per school), every school change with its audited reason."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import assert_never

from services.capture.domain.events import (
    LibraryPhraseRemoved,
    LibraryPhrasesAdded,
    Phrase,
    SchoolPhraseAdded,
    SchoolPhraseExcluded,
)
from shared.decider import Decider
from shared.errors import InvalidInput, NotFound
from shared.events import Event

MIN_REASON = 5


def normalise(phrase: str) -> str:
    """Phrases match case-insensitively and whatever the spacing: store them one way."""
    return " ".join(phrase.lower().split())


@dataclass(frozen=True)
class AddPhrases:
    la_id: str
    phrases: tuple[Phrase, ...]
    by: str


@dataclass(frozen=True)
class RemovePhrase:
    la_id: str
    phrase: str
    by: str


LibraryCommand = AddPhrases | RemovePhrase


@dataclass(frozen=True)
class Library:
    phrases: dict[str, Phrase]


def decide_library(command: LibraryCommand, state: Library) -> list[Event]:
    match command:
        case AddPhrases(la_id=la_id, phrases=phrases, by=by):
            fresh = {normalise(p.phrase): p.model_copy(update={"phrase": normalise(p.phrase)})
                     for p in phrases}
            changed = [p for key, p in fresh.items() if state.phrases.get(key) != p]
            return [LibraryPhrasesAdded(la_id=la_id, phrases=changed, by=by)] if changed else []
        case RemovePhrase(la_id=la_id, phrase=phrase, by=by):
            if normalise(phrase) not in state.phrases:
                raise NotFound(f"no phrase {phrase!r} in the library", field="phrase")
            return [LibraryPhraseRemoved(la_id=la_id, phrase=normalise(phrase), by=by)]
        case _:
            assert_never(command)


def evolve_library(state: Library, event: Event) -> Library:
    match event:
        case LibraryPhrasesAdded(phrases=phrases):
            return Library({**state.phrases, **{p.phrase: p for p in phrases}})
        case LibraryPhraseRemoved(phrase=phrase):
            return Library({k: v for k, v in state.phrases.items() if k != phrase})
        case _:
            return state


@dataclass(frozen=True)
class AddSchoolPhrase:
    phrase: Phrase
    reason: str
    by: str


@dataclass(frozen=True)
class ExcludePhrase:
    phrase: str
    reason: str
    by: str
    in_library: bool  # whether the LA library has it: excluding an unknown phrase is a typo


SchoolCommand = AddSchoolPhrase | ExcludePhrase


@dataclass(frozen=True)
class SchoolKeywords:
    added: dict[str, Phrase]
    excluded: dict[str, str]  # phrase -> reason


def decide_school(command: SchoolCommand, state: SchoolKeywords) -> list[Event]:
    if len(command.reason.strip()) < MIN_REASON:
        raise InvalidInput("say why (the reason is kept in the audit trail)", field="reason")
    match command:
        case AddSchoolPhrase(phrase=phrase, reason=reason, by=by):
            key = normalise(phrase.phrase)
            if state.added.get(key) == phrase.model_copy(update={"phrase": key}):
                return []
            return [SchoolPhraseAdded(phrase=phrase.model_copy(update={"phrase": key}),
                                      reason=reason.strip(), by=by)]
        case ExcludePhrase(phrase=phrase, reason=reason, by=by, in_library=known):
            key = normalise(phrase)
            if not known:
                raise NotFound(f"no phrase {phrase!r} in the LA library", field="phrase")
            if key in state.excluded:
                return []
            return [SchoolPhraseExcluded(phrase=key, reason=reason.strip(), by=by)]
        case _:
            assert_never(command)


def evolve_school(state: SchoolKeywords, event: Event) -> SchoolKeywords:
    match event:
        case SchoolPhraseAdded(phrase=phrase):
            return replace(state, added={**state.added, phrase.phrase: phrase})
        case SchoolPhraseExcluded(phrase=phrase, reason=reason):
            return replace(state, excluded={**state.excluded, phrase: reason})
        case _:
            return state


library = Decider[LibraryCommand, Library]("library", Library({}), decide_library,
                                           evolve_library)
school_keywords = Decider[SchoolCommand, SchoolKeywords](
    "school-keywords", SchoolKeywords({}, {}), decide_school, evolve_school)
