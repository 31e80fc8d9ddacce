"""Agreement events (facts, past tense). Type names are stable: they are stored forever."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from shared.events import Event
from shared.registry import registry


class Audience(StrEnum):
    STAFF = "staff"
    PUPIL = "pupil"
    PARENT_CONSENT = "parent_consent"  # parent/carer consent to supervised internet access
    PHOTO_CONSENT = "photo_consent"
    VISITOR = "visitor"
    GOVERNOR = "governor"


class SignMethod(StrEnum):
    ONLINE = "online"
    PAPER = "paper"  # a signed form, recorded by staff with the date on the form


class AccessStatus(StrEnum):
    NONE = "none"  # never granted
    GRANTED = "granted"
    SUSPENDED = "suspended"  # until the missing signatures are given
    REVOKED = "revoked"  # left the school, or removed by a sanction until a date


@registry.register
class TemplateCreated(Event):
    type_name = "AgreementTemplateCreated"
    template_id: str
    school_id: str
    audience: Audience
    title: str


@registry.register
class VersionPublished(Event):
    type_name = "AgreementVersionPublished"
    template_id: str
    school_id: str
    audience: Audience
    version: int
    text: str  # markdown
    effective_from: date
    grace_days: int  # holders of the previous version keep access this long after effective_from
    published_by: str


@registry.register
class AgreementSigned(Event):
    """`person_id`: whose agreement it is; a parent/carer consenting for a pupil is `signed_by`."""

    type_name = "AgreementSigned"
    person_id: str
    school_id: str
    template_id: str
    audience: Audience
    version: int
    method: SignMethod
    signed_on: date
    signed_by: str
    recorded_by: str


@registry.register
class ConsentWithdrawn(Event):
    type_name = "AgreementConsentWithdrawn"
    person_id: str
    school_id: str
    audience: Audience
    withdrawn_by: str
    withdrawn_on: date
    reason: str


@registry.register
class AccessRulesSet(Event):
    """Which signatures each kind of person needs for internet access at this school."""

    type_name = "AccessRulesSet"
    school_id: str
    rules: dict[str, list[Audience]]  # person kind -> audiences


@registry.register
class AccessGranted(Event):
    type_name = "InternetAccessGranted"
    person_id: str
    school_id: str
    reason: str


@registry.register
class AccessSuspended(Event):
    type_name = "InternetAccessSuspended"
    person_id: str
    school_id: str
    reason: str


@registry.register
class AccessRevoked(Event):
    """`until` None: for good (left the school); a date: a sanction, reassessed from that day."""

    type_name = "InternetAccessRevoked"
    person_id: str
    school_id: str
    reason: str
    until: date | None = None

