"""Which signatures give which people internet access: a default, changeable per school."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.agreement.domain.commands import SetAccessRules
from services.agreement.domain.events import AccessRulesSet, Audience
from services.directory.domain.events import PersonKind
from shared.decider import Decider
from shared.errors import InvalidInput
from shared.events import Event

Rules = Mapping[PersonKind, frozenset[Audience]]

# Oakridge §4 and Glenfield's "Acceptable Use of the Internet in School": pupils need their own
# agreement and a parent/carer's consent; adults their own agreement. Parents hold no access.
DEFAULT_RULES: Rules = {
    PersonKind.PUPIL: frozenset({Audience.PUPIL, Audience.PARENT_CONSENT}),
    PersonKind.STAFF: frozenset({Audience.STAFF}),
    PersonKind.GOVERNOR: frozenset({Audience.GOVERNOR}),
    PersonKind.VISITOR: frozenset({Audience.VISITOR}),
}

# Who signs each agreement; a consent is given by a parent/carer for a linked pupil.
SIGNER: Mapping[Audience, PersonKind] = {
    Audience.STAFF: PersonKind.STAFF,
    Audience.PUPIL: PersonKind.PUPIL,
    Audience.PARENT_CONSENT: PersonKind.PARENT,
    Audience.PHOTO_CONSENT: PersonKind.PARENT,
    Audience.VISITOR: PersonKind.VISITOR,
    Audience.GOVERNOR: PersonKind.GOVERNOR,
}
ON_BEHALF = frozenset({Audience.PARENT_CONSENT, Audience.PHOTO_CONSENT})
# The kind of person an agreement is about (a consent is about the pupil).
SUBJECT: Mapping[Audience, PersonKind] = {**SIGNER, **{a: PersonKind.PUPIL for a in ON_BEHALF}}


@dataclass(frozen=True)
class SchoolRules:
    rules: Rules = field(default_factory=lambda: dict(DEFAULT_RULES))

    def required(self, kind: PersonKind) -> frozenset[Audience]:
        return self.rules.get(kind, frozenset())


def decide(command: SetAccessRules, state: SchoolRules) -> list[Event]:
    for kind, audiences in command.rules.items():
        wrong = [a for a in audiences if SUBJECT[a] is not kind]
        if wrong:
            raise InvalidInput(f"a {kind.value} cannot need the {wrong[0].value} agreement",
                               field="rules")
    # Kinds not named keep their rule; an empty list means that kind needs no agreement.
    merged = {**state.rules, **{k: frozenset(v) for k, v in command.rules.items()}}
    if merged == dict(state.rules):
        return []
    return [AccessRulesSet(school_id=command.school_id,
                           rules={k.value: sorted(v) for k, v in merged.items()})]


def evolve(state: SchoolRules, event: Event) -> SchoolRules:
    match event:
        case AccessRulesSet(rules=rules):
            return SchoolRules({PersonKind(k): frozenset(v) for k, v in rules.items()})
        case _:
            return state


rules = Decider[SetAccessRules, SchoolRules]("rules", SchoolRules(), decide, evolve)
