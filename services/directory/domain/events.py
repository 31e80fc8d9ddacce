"""Directory events (facts, past tense). Type names are stable: they are stored forever."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from shared.claims import Role, Scope
from shared.events import Event
from shared.registry import registry


class Phase(StrEnum):
    NURSERY = "nursery"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    ALL_THROUGH = "all_through"
    SPECIAL = "special"


class PersonKind(StrEnum):
    PUPIL = "pupil"
    STAFF = "staff"
    PARENT = "parent"
    GOVERNOR = "governor"
    VISITOR = "visitor"
    LA_STAFF = "la_staff"


@registry.register
class AuthorityEstablished(Event):
    type_name = "AuthorityEstablished"
    la_id: str
    name: str


@registry.register
class SchoolOnboarded(Event):
    type_name = "SchoolOnboarded"
    school_id: str
    la_id: str
    name: str
    urn: str
    phase: Phase


@registry.register
class PersonEnrolled(Event):
    type_name = "PersonEnrolled"
    person_id: str
    school_id: str
    kind: PersonKind
    given_name: str
    family_name: str
    year_group: int | None = None
    class_name: str | None = None
    mis_id: str | None = None
    email: str | None = None
    date_of_birth: date | None = None


@registry.register
class PersonDetailsChanged(Event):
    """The person's details now read as given (all of them, so the event stands alone)."""

    type_name = "PersonDetailsChanged"
    person_id: str
    given_name: str
    family_name: str
    year_group: int | None = None
    class_name: str | None = None
    email: str | None = None
    date_of_birth: date | None = None


@registry.register
class RoleAssigned(Event):
    type_name = "RoleAssigned"
    person_id: str
    role: Role


@registry.register
class RoleRemoved(Event):
    type_name = "RoleRemoved"
    person_id: str
    role: Role


@registry.retire
class GuardianLinkedV1(Event):
    """A parent/carer linked to a pupil of the same school (version 1, before the parental
    responsibility flag; loaded as v2 with it true)."""

    type_name = "GuardianLinked"
    person_id: str
    pupil_id: str
    relationship: str


@registry.register
class GuardianLinked(Event):
    """A parent/carer linked to a pupil of the same school.

    v2 says whether they hold parental responsibility (UK law: consent for a pupil comes from
    someone who does; an emergency-contact grandparent may not). v1 links were all treated
    as able to consent, so their upcast keeps that meaning: True.
    """

    type_name = "GuardianLinked"
    schema_version = 2
    person_id: str
    pupil_id: str
    relationship: str
    parental_responsibility: bool


@registry.upcaster(GuardianLinked.type_name, 1)
def _guardian_linked_v1(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "parental_responsibility": True}


@registry.register
class PersonLeft(Event):
    type_name = "PersonLeft"
    person_id: str
    left_on: date
    reason: str


@registry.register
class AccountOpened(Event):
    """A login was opened. The password hash is not in the event: secrets do not travel on
    the bus or live forever in the store; it sits in the directory's credentials table."""

    type_name = "AccountOpened"
    person_id: str
    username: str


@registry.register
class UsernameClaimed(Event):
    """Keeps usernames unique across the LA: one stream per username."""

    type_name = "UsernameClaimed"
    username: str
    person_id: str


@registry.register
class ApiKeyIssued(Event):
    """An integrator key for one school. Its secret is not here (see AccountOpened): only a
    hash of it, in the directory's api_keys table."""

    type_name = "ApiKeyIssued"
    key_id: str
    school_id: str
    name: str
    scopes: list[Scope]
    created_by: str
    expires_at: datetime | None = None


@registry.register
class ApiKeyRevoked(Event):
    type_name = "ApiKeyRevoked"
    key_id: str
    revoked_by: str


@registry.register
class ClassRecorded(Event):
    """A class as it now is: new, renamed, moved year or given other teachers."""

    type_name = "ClassRecorded"
    school_id: str
    class_id: str
    name: str
    year_group: int | None = None
    teacher_ids: list[str] = []
    mis_id: str | None = None


@registry.register
class ClassClosed(Event):
    type_name = "ClassClosed"
    school_id: str
    class_id: str
