"""The audit trail (DSL and head: their school; the LA admin: any or every school) and subject
access requests (the school's DSL or head, the LA admin): one RPC each to compliance."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import datetime

import strawberry

from services.compliance.contracts import SERVICE
from services.gateway.context import Info, signed_in
from services.gateway.records.types import AuditPage, SubjectAccessRequest
from shared.audit import RecordKind


@strawberry.type
class RecordsQuery:
    @strawberry.field(extensions=signed_in(), description="Sensitive reads, newest first; "
                      "every filter optional (schoolId only for the LA admin).")
    async def audit_trail(self, info: Info, school_id: str | None = None,
                          person_id: str | None = None, kind: RecordKind | None = None,
                          record_id: str | None = None, viewer: str | None = None,
                          since: datetime | None = None, until: datetime | None = None,
                          offset: int = 0, limit: int = 50) -> AuditPage:
        q = {"school_id": school_id, "person_id": person_id,
             "kind": kind.value if kind else None, "record_id": record_id, "viewer": viewer,
             "since": since.isoformat() if since else None,
             "until": until.isoformat() if until else None, "offset": offset, "limit": limit}
        return AuditPage.of(await info.context.call(SERVICE, "AuditTrail", q))


@strawberry.type
class RecordsMutation:
    @strawberry.mutation(extensions=signed_in(), description="A subject access request: "
                         "everything held about one person, other pupils redacted.")
    async def request_subject_access(self, info: Info, school_id: str,
                                     person_id: str) -> SubjectAccessRequest:
        found = await info.context.call(SERVICE, "RequestSubjectAccess",
                                        {"school_id": school_id, "person_id": person_id})
        return SubjectAccessRequest.of(found)
