"""Directory commands (imperative). Each names the tenant it acts in."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.directory.domain.events import PersonKind, Phase
from shared.claims import Role, Scope

Slug = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
Name = Field(min_length=1, max_length=100)
Email = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class EstablishAuthority(Command):
    la_id: str = Slug
    name: str = Name


class OnboardSchool(Command):
    school_id: str = Slug
    la_id: str = Slug
    name: str = Name
    urn: str = Field(pattern=r"^\d{6,7}$", description="DfE unique reference number")
    phase: Phase


class EnrolPerson(Command):
    school_id: str = Slug
    person_id: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")
    kind: PersonKind
    given_name: str = Name
    family_name: str = Name
    year_group: int | None = Field(default=None, ge=0, le=14, description="0 = Reception")
    class_name: str | None = Field(default=None, max_length=40)
    mis_id: str | None = Field(default=None, max_length=64)
    email: str | None = Email
    date_of_birth: date | None = None


class PersonCommand(Command):
    school_id: str = Slug
    person_id: str = Field(min_length=1, max_length=64)


class AssignRole(PersonCommand):
    role: Role


class RemoveRole(PersonCommand):
    role: Role


class LinkGuardian(PersonCommand):
    pupil_id: str = Field(min_length=1, max_length=64)
    relationship: str = Field(default="parent", min_length=1, max_length=40)
    parental_responsibility: bool = Field(
        default=True, description="false for a contact without parental responsibility")


class RecordLeaver(PersonCommand):
    left_on: date
    reason: str = Field(default="left", min_length=1, max_length=200)


class OpenAccount(PersonCommand):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$")
    password_hash: str = Field(min_length=20)


class SyncPerson(PersonCommand):
    """Upsert from a school's MIS: enrol, or bring details up to date; add roles and links."""

    kind: PersonKind
    mis_id: str = Field(min_length=1, max_length=64)
    given_name: str = Name
    family_name: str = Name
    year_group: int | None = Field(default=None, ge=0, le=14)
    class_name: str | None = Field(default=None, max_length=40)
    email: str | None = Email
    date_of_birth: date | None = None
    roles: frozenset[Role] = frozenset()
    guardian_of: dict[str, str] = Field(default_factory=dict,
                                        description="pupil person id -> relationship")


class IssueApiKey(Command):
    school_id: str = Slug
    key_id: str = Field(pattern=r"^[a-z0-9]{8,32}$")
    name: str = Name
    scopes: frozenset[Scope] = Field(min_length=1)
    created_by: str = Field(min_length=1, max_length=64)
    expires_at: datetime | None = None


class RevokeApiKey(Command):
    school_id: str = Slug
    key_id: str = Field(min_length=1, max_length=32)
    revoked_by: str = Field(min_length=1, max_length=64)


class RecordClass(Command):
    """A teaching group as the MIS (or the school) has it; re-recording the same is a no-op."""

    school_id: str = Slug
    class_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=40)
    year_group: int | None = Field(default=None, ge=0, le=14)
    teacher_ids: tuple[str, ...] = Field(default=(), max_length=50,
                                         description="person ids of its teachers")
    mis_id: str | None = Field(default=None, max_length=64)


class CloseClass(Command):
    school_id: str = Slug
    class_id: str = Field(min_length=1, max_length=64)
