"""The audit trail's and subject access requests' contracts (compliance service)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.audit import RecordKind
from shared.pages import Page, Paging

SlugOrNone = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")


class AuditTrail(Paging):
    """Filters, all optional; an LA role may leave out the school to see every school's."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    school_id: str | None = SlugOrNone
    person_id: str | None = Field(default=None, max_length=64,
                                  description="whose records were read")
    kind: RecordKind | None = None
    record_id: str | None = Field(default=None, max_length=80)
    viewer: str | None = Field(default=None, max_length=64, description="who read them")
    since: datetime | None = None
    until: datetime | None = Field(default=None, description="exclusive")


class AuditEntry(BaseModel):
    event_id: str
    school_id: str
    at: datetime
    kind: RecordKind
    record_id: str
    subjects: list[str]
    action: str
    viewer: str
    viewer_name: str
    viewer_school: str
    roles: list[str]
    ip: str
    user_agent: str


class AuditPage(Page[AuditEntry]):
    pass


class RequestSubjectAccess(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    school_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
    person_id: str = Field(min_length=1, max_length=64)


class OpenSubjectAccess(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    request_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    format: Literal["json", "pdf"]


class SubjectAccessRequestView(BaseModel):
    request_id: str
    school_id: str
    person_id: str
    requested_by: str
    requested_by_name: str
    requested_at: datetime
