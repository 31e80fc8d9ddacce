"""GraphQL types of the audit trail and of a subject access request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from services.compliance.audit_contracts import AuditEntry as EntryView
from services.compliance.audit_contracts import AuditPage as PageView
from services.compliance.audit_contracts import SubjectAccessRequestView
from shared.audit import RecordKind

strawberry.enum(RecordKind, description="What kind of sensitive record was read.")


@strawberry.type(description="One sensitive read: who, when, what, about whom, from where.")
class AuditEntry:
    event_id: str
    school_id: str
    at: datetime
    kind: RecordKind
    record_id: str
    subjects: list[str] = strawberry.field(description="whose records were read")
    action: str
    viewer: str
    viewer_name: str
    viewer_school: str
    roles: list[str]
    ip: str
    user_agent: str

    @classmethod
    def of(cls, e: EntryView) -> AuditEntry:
        return cls(**e.model_dump())


@strawberry.type
class AuditPage:
    items: list[AuditEntry]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, data: Any) -> AuditPage:
        page = PageView.model_validate(data)
        return cls(items=[AuditEntry.of(e) for e in page.items], total=page.total,
                   offset=page.offset, limit=page.limit)


@strawberry.type(description="Download the bundle from jsonUrl or pdfUrl (same Authorization "
                             "header as GraphQL); every download is audited.")
class SubjectAccessRequest:
    request_id: str
    school_id: str
    person_id: str
    requested_by: str
    requested_at: datetime
    json_url: str
    pdf_url: str

    @classmethod
    def of(cls, data: Any) -> SubjectAccessRequest:
        r = SubjectAccessRequestView.model_validate(data)
        base = f"/subject-access/{r.request_id}"
        return cls(request_id=r.request_id, school_id=r.school_id, person_id=r.person_id,
                   requested_by=r.requested_by, requested_at=r.requested_at,
                   json_url=f"{base}.json", pdf_url=f"{base}.pdf")
