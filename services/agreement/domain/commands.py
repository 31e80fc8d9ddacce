"""Agreement commands (imperative). Each names the school it acts in."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.agreement.domain.events import Audience, SignMethod
from services.directory.domain.commands import Slug
from services.directory.domain.events import PersonKind

PersonId = Field(min_length=1, max_length=64)


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class CreateTemplate(Command):
    school_id: str = Slug
    audience: Audience
    title: str = Field(min_length=1, max_length=200)


class PublishVersion(Command):
    school_id: str = Slug
    template_id: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=100_000, description="markdown")
    effective_from: date
    grace_days: int = Field(default=14, ge=0, le=365)


class SignAgreement(Command):
    school_id: str = Slug
    person_id: str = PersonId
    template_id: str = Field(min_length=1, max_length=80)
    version: int = Field(ge=1)
    method: SignMethod = SignMethod.ONLINE
    signed_on: date | None = Field(default=None, description="the date on a paper form")
    on_behalf_of: str | None = Field(default=None, min_length=1, max_length=64,
                                     description="the pupil a parent/carer consents for")


class WithdrawConsent(Command):
    school_id: str = Slug
    person_id: str = PersonId
    audience: Audience
    reason: str = Field(min_length=1, max_length=500)
    withdrawn_on: date | None = None
    on_behalf_of: str | None = Field(default=None, min_length=1, max_length=64)


class SetAccessRules(Command):
    school_id: str = Slug
    rules: dict[PersonKind, list[Audience]]


class EnforceGracePeriods(Command):
    """Reassess everyone at the school as of a day (a periodic task runs it daily)."""

    school_id: str = Slug
    as_of: date
