"""Other pupils' names out of what leaves a school (UK GDPR: a third party's data is withheld;
staff acting in their role stay named, so only pupils are redacted).

Every string is searched, free text included (notes, descriptions), for each other pupil's
full name (either order) and id, whole words, any case. Used by the subject access bundle
(gateway) and by a safeguarding record's transfer (incident service).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

REDACTED = "[another pupil]"


class Named(Protocol):
    @property
    def person_id(self) -> str: ...
    @property
    def given_name(self) -> str: ...
    @property
    def family_name(self) -> str: ...


class Redactor:
    def __init__(self, others: Iterable[Named]) -> None:
        terms = {t for p in others for t in (
            f"{p.given_name} {p.family_name}", f"{p.family_name}, {p.given_name}",
            f"{p.family_name} {p.given_name}", p.person_id) if t.strip()}
        # Longest first: a full name goes before an id that happens to be part of it.
        alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) \
            if terms else None

    def text(self, value: str) -> str:
        return self._pattern.sub(REDACTED, value) if self._pattern else value

    def __call__(self, value: Any) -> Any:
        """A copy of a JSON value with every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        return value
