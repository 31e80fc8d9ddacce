"""What the access decider needs to know beyond a person's own stream, loaded for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.agreement import queries
from services.agreement.domain.access import Reassess, access
from services.agreement.domain.assessment import Context, Member
from services.agreement.domain.events import Audience
from services.agreement.domain.rules import SchoolRules, rules
from services.agreement.domain.template import Template, template, template_id
from shared.events import Metadata
from shared.service import Kit

SCHOOL_TIME = ZoneInfo("Europe/London")


def today() -> date:
    """The school's date (a form signed at 00:30 in June is dated that day, not the one before)."""
    return datetime.now(SCHOOL_TIME).date()


@dataclass(frozen=True)
class SchoolTerms:
    """A school's agreements and access rules, loaded once for one command."""

    school_id: str
    terms: dict[Audience, Template]
    rules: SchoolRules

    @classmethod
    async def load(cls, kit: Kit, school_id: str) -> SchoolTerms:
        terms = {}
        for audience in Audience:
            state, _ = await kit.bus.load(template, template_id(school_id, audience))
            if state.exists:
                terms[audience] = state
        school_rules, _ = await kit.bus.load(rules, school_id)
        return cls(school_id, terms, school_rules)

    def context(self, person: Member | None, as_of: date) -> Context:
        required = self.rules.required(person.kind) if person else frozenset()
        return Context(self.school_id, person, self.terms, required, as_of)


async def reassess_school(kit: Kit, school_id: str, as_of: date) -> int:
    """Bring everyone's register entry up to date as of a day; returns how many changed."""
    school = await SchoolTerms.load(kit, school_id)
    changed = 0
    for person in (await queries.members_of(kit.db, school_id)).values():
        done = await kit.bus.execute(access, person.person_id,
                                     Reassess(school.context(person, as_of)),
                                     Metadata(school_id=school_id))
        changed += bool(done.envelopes)
    return changed
