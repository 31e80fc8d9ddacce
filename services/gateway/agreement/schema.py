"""Agreement queries and mutations: each resolver is one RPC to the agreement service."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from services.agreement.contracts import SERVICE
from services.gateway.agreement.enums import AccessStatus, Audience
from services.gateway.agreement.inputs import (
    AccessRuleInput,
    PublishVersionInput,
    SignAgreementInput,
    WithdrawConsentInput,
)
from services.gateway.agreement.types import (
    AccessRegisterPage,
    AccessResult,
    AgreementHistoryEntry,
    AgreementTemplate,
    AgreementVersion,
    AgreementVersionRef,
    OutstandingSignature,
)
from services.gateway.context import Info, signed_in
from services.gateway.directory.inputs import body
from services.gateway.enums import PersonKind


@strawberry.input
class AccessRegisterFilter:
    audience: Audience | None = None
    kind: PersonKind | None = None
    year_group: int | None = None
    class_name: str | None = None
    status: AccessStatus | None = None
    include_leavers: bool = False


def _filter(school_id: str, where: AccessRegisterFilter | None) -> dict[str, Any]:
    return body(where or AccessRegisterFilter(), school_id=school_id)


@strawberry.type
class AgreementQuery:
    @strawberry.field(extensions=signed_in())
    async def agreement_templates(self, info: Info, school_id: str) -> list[AgreementTemplate]:
        found = await info.context.call(SERVICE, "ListTemplates", {"school_id": school_id})
        return [AgreementTemplate.of(t) for t in found]

    @strawberry.field(extensions=signed_in(), description="One version, with its text.")
    async def agreement_version(self, info: Info, school_id: str, template_id: str,
                                version: int) -> AgreementVersion:
        query = {"school_id": school_id, "template_id": template_id, "version": version}
        return AgreementVersion.of(await info.context.call(SERVICE, "GetVersion", query))

    @strawberry.field(extensions=signed_in(),
                      description="The internet-access register, a page at a time.")
    async def access_register(self, info: Info, school_id: str,
                              where: AccessRegisterFilter | None = None, offset: int = 0,
                              limit: int = 50) -> AccessRegisterPage:
        query = _filter(school_id, where) | {"offset": offset, "limit": limit}
        return AccessRegisterPage.of(await info.context.call(SERVICE, "GetRegister", query))

    @strawberry.field(extensions=signed_in(),
                      description="The register as CSV text (as a file: GET "
                                  "/agreements/register.csv?schoolId=...).")
    async def access_register_csv(self, info: Info, school_id: str,
                                  where: AccessRegisterFilter | None = None) -> str:
        done = await info.context.call(SERVICE, "ExportRegister", _filter(school_id, where))
        return str(done["csv"])

    @strawberry.field(extensions=signed_in(), description="Who must sign (again).")
    async def outstanding_signatures(self, info: Info, school_id: str,
                                     audience: Audience | None = None
                                     ) -> list[OutstandingSignature]:
        query = {"school_id": school_id, "audience": audience}
        return [OutstandingSignature.of(r)
                for r in await info.context.call(SERVICE, "ListOutstanding", query)]

    @strawberry.field(extensions=signed_in(), description="A person's agreements and access.")
    async def agreement_history(self, info: Info, school_id: str,
                                person_id: str) -> list[AgreementHistoryEntry]:
        query = {"school_id": school_id, "person_id": person_id}
        return [AgreementHistoryEntry.of(r)
                for r in await info.context.call(SERVICE, "GetHistory", query)]


@strawberry.type
class AgreementMutation:
    @strawberry.mutation(extensions=signed_in(), description="One per school and audience.")
    async def create_agreement_template(self, info: Info, school_id: str, audience: Audience,
                                        title: str) -> str:
        cmd = {"school_id": school_id, "audience": audience, "title": title}
        return str((await info.context.call(SERVICE, "CreateTemplate", cmd))["template_id"])

    @strawberry.mutation(extensions=signed_in())
    async def publish_agreement_version(self, info: Info,
                                        input: PublishVersionInput) -> AgreementVersionRef:
        done = await info.context.call(SERVICE, "PublishVersion", body(input))
        return AgreementVersionRef(template_id=done["template_id"], version=done["version"])

    @strawberry.mutation(extensions=signed_in())
    async def sign_agreement(self, info: Info, input: SignAgreementInput) -> AccessResult:
        return _result(await info.context.call(SERVICE, "SignAgreement", body(input)))

    @strawberry.mutation(extensions=signed_in())
    async def withdraw_consent(self, info: Info, input: WithdrawConsentInput) -> AccessResult:
        return _result(await info.context.call(SERVICE, "WithdrawConsent", body(input)))

    @strawberry.mutation(extensions=signed_in(),
                         description="Kinds not named keep their rule; [] needs nothing.")
    async def set_access_rules(self, info: Info, school_id: str,
                               rules: list[AccessRuleInput]) -> int:
        cmd = {"school_id": school_id, "rules": {r.kind: r.audiences for r in rules}}
        return int((await info.context.call(SERVICE, "SetAccessRules", cmd))["changed"])

    @strawberry.mutation(extensions=signed_in(),
                         description="Reassess the register as of a day; returns how many "
                                     "entries changed.")
    async def enforce_grace_periods(self, info: Info, school_id: str, as_of: date) -> int:
        cmd = {"school_id": school_id, "as_of": as_of}
        return int((await info.context.call(SERVICE, "EnforceGracePeriods", cmd))["changed"])


def _result(done: dict[str, Any]) -> AccessResult:
    return AccessResult(person_id=done["person_id"], status=AccessStatus(done["status"]))
