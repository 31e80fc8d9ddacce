"""GraphQL types of the agreement service, built from its contract views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from services.agreement.contracts import (
    HistoryEntry,
    OutstandingView,
    RegisterEntry,
    TemplateView,
    VersionView,
)
from services.gateway.agreement.enums import AccessStatus, Audience, SignMethod
from services.gateway.enums import PersonKind


@strawberry.type
class AgreementVersion:
    template_id: str
    version: int
    effective_from: date
    grace_days: int = strawberry.field(description="days holders of the previous version keep "
                                                   "access after effective_from")
    published_by: str
    published_at: datetime
    text: str | None = strawberry.field(description="markdown; only on agreementVersion")

    @classmethod
    def of(cls, data: Any) -> AgreementVersion:
        return cls(**VersionView.model_validate(data).model_dump())


@strawberry.type
class AgreementTemplate:
    template_id: str
    school_id: str
    audience: Audience
    title: str
    versions: list[AgreementVersion]

    @classmethod
    def of(cls, data: Any) -> AgreementTemplate:
        view = TemplateView.model_validate(data)
        return cls(**view.model_dump(exclude={"versions"}),
                   versions=[AgreementVersion(**v.model_dump()) for v in view.versions])


@strawberry.type(description="An agreement a person holds now.")
class HeldAgreement:
    audience: Audience
    version: int
    signed_on: date


@strawberry.type(description="A person's entry in the internet-access register.")
class AccessRegisterRow:
    person_id: str
    name: str
    kind: PersonKind
    year_group: int | None
    class_name: str | None
    left_on: date | None
    status: AccessStatus
    reason: str | None
    since: datetime | None
    until: date | None
    signed: list[HeldAgreement]

    @classmethod
    def of(cls, data: Any) -> AccessRegisterRow:
        view = RegisterEntry.model_validate(data)
        return cls(**view.model_dump(exclude={"signed"}),
                   signed=[HeldAgreement(**h.model_dump()) for h in view.signed])


@strawberry.type(description="A page of the register, in name order.")
class AccessRegisterPage:
    items: list[AccessRegisterRow]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, data: Any) -> AccessRegisterPage:
        return cls(items=[AccessRegisterRow.of(r) for r in data["items"]], total=data["total"],
                   offset=data["offset"], limit=data["limit"])


@strawberry.type
class OutstandingSignature:
    person_id: str
    name: str
    kind: PersonKind
    audience: Audience
    template_id: str
    signed_version: int | None
    latest_version: int

    @classmethod
    def of(cls, data: Any) -> OutstandingSignature:
        return cls(**OutstandingView.model_validate(data).model_dump())


@strawberry.type
class AgreementHistoryEntry:
    at: datetime
    entry: str = strawberry.field(description="signed, withdrawn, access granted/suspended/...")
    audience: Audience | None
    version: int | None
    method: SignMethod | None
    dated: date | None = strawberry.field(description="signed or withdrawn on; revoked until")
    actor: str | None
    detail: str | None

    @classmethod
    def of(cls, data: Any) -> AgreementHistoryEntry:
        return cls(**HistoryEntry.model_validate(data).model_dump())


@strawberry.type
class AgreementVersionRef:
    template_id: str
    version: int


@strawberry.type(description="Where a person stands after a signature or withdrawal.")
class AccessResult:
    person_id: str
    status: AccessStatus
