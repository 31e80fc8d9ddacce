"""Triage: match a capture's text against the effective library, set category, severity
and queue priority. Aho-Corasick keeps one pass over the text whatever the library size."""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick

from services.capture.domain.events import CaptureTriaged, Category, Match, Phrase, Priority
from services.capture.domain.library import Library, SchoolKeywords, normalise


def effective(la: Library, school: SchoolKeywords) -> list[Match]:
    """The LA's phrases less the school's exclusions, plus the school's own (which win)."""
    found = {k: Match(**p.model_dump(), source="la") for k, p in la.phrases.items()
             if k not in school.excluded}
    found.update({k: Match(**p.model_dump(), source="school") for k, p in school.added.items()})
    return list(found.values())


class Matcher:
    def __init__(self, phrases: Iterable[Match]) -> None:
        self._automaton = ahocorasick.Automaton()
        for m in phrases:
            self._automaton.add_word(m.phrase, m)
        self.size = len(self._automaton)
        if self.size:
            self._automaton.make_automaton()

    def find(self, *texts: str) -> list[Match]:
        """Whole-word matches (case-insensitive), each phrase once, in text order."""
        if not self.size:
            return []
        seen: dict[str, Match] = {}
        for text in texts:
            norm = normalise(text)
            for end, match in self._automaton.iter(norm):
                start = end - len(match.phrase) + 1
                if _word_edge(norm, start - 1) and _word_edge(norm, end + 1):
                    seen.setdefault(match.phrase, match)
        return list(seen.values())


def _word_edge(text: str, i: int) -> bool:
    return i < 0 or i >= len(text) or not (text[i].isalnum() or text[i] == "_")


def priority_of(severity: int) -> Priority:
    if severity >= 5:
        return Priority.URGENT
    if severity == 4:
        return Priority.HIGH
    return Priority.NORMAL if severity == 3 else Priority.LOW


def triage(capture_id: str, matcher: Matcher, trigger: str, excerpt: str,
           product_category: str | None, product_severity: int | None) -> CaptureTriaged:
    matches = matcher.find(trigger, excerpt)
    ours = max(matches, key=lambda m: m.severity, default=None)
    severity = max(ours.severity if ours else 1, product_severity or 1)
    if ours is not None:
        category = ours.category
    else:
        known = {c.value for c in Category}
        wanted = (product_category or "").strip().lower()
        category = Category(wanted) if wanted in known else Category.UNCLASSIFIED
    return CaptureTriaged(capture_id=capture_id, category=category, severity=severity,
                          priority=priority_of(severity), matches=matches)


__all__ = ["Matcher", "Phrase", "effective", "priority_of", "triage"]
