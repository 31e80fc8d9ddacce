"""Agreement inputs. Field names match the service's commands, so they go over as they are."""

from __future__ import annotations

from datetime import date

import strawberry

from services.gateway.agreement.enums import Audience, SignMethod
from services.gateway.enums import PersonKind


@strawberry.input
class PublishVersionInput:
    school_id: str
    template_id: str
    text: str = strawberry.field(description="markdown")
    effective_from: date
    grace_days: int = 14


@strawberry.input
class SignAgreementInput:
    school_id: str
    person_id: str = strawberry.field(description="who signs (a parent/carer for a consent)")
    template_id: str
    version: int
    method: SignMethod = SignMethod.ONLINE
    signed_on: date | None = strawberry.field(default=None,
                                              description="the date on a paper form")
    on_behalf_of: str | None = strawberry.field(default=None,
                                                description="the pupil a consent is for")


@strawberry.input
class WithdrawConsentInput:
    school_id: str
    person_id: str
    audience: Audience
    reason: str
    withdrawn_on: date | None = None
    on_behalf_of: str | None = None


@strawberry.input
class AccessRuleInput:
    kind: PersonKind
    audiences: list[Audience]
