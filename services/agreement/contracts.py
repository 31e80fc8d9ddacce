"""The agreement service's public contract: queries and the views it answers with.

Commands are in `domain/commands.py` and are part of the contract too; the sanction event it
acts on (`InternetAccessRemovalOrdered`) is defined once, in `services/sanction/domain/events.py`.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.agreement.domain.events import AccessStatus, Audience, SignMethod
from services.directory.domain.commands import Slug
from services.directory.domain.events import PersonKind
from shared.pages import Page, Paging

SERVICE = "agreement"


class Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ListTemplates(Query):
    school_id: str = Slug


class GetVersion(Query):
    school_id: str = Slug
    template_id: str = Field(min_length=1, max_length=80)
    version: int = Field(ge=1)


class RegisterFilter(Query):
    school_id: str = Slug
    audience: Audience | None = Field(default=None,
                                      description="people this agreement is about")
    kind: PersonKind | None = None
    year_group: int | None = Field(default=None, ge=0, le=14)
    class_name: str | None = Field(default=None, max_length=40)
    status: AccessStatus | None = None
    include_leavers: bool = False


class GetRegister(RegisterFilter, Paging):
    pass


class ExportRegister(RegisterFilter):
    pass


class ListOutstanding(Query):
    school_id: str = Slug
    audience: Audience | None = None


class GetHistory(Query):
    school_id: str = Slug
    person_id: str = Field(min_length=1, max_length=64)


class VersionView(BaseModel):
    template_id: str
    version: int
    effective_from: date
    grace_days: int
    published_by: str
    published_at: datetime
    text: str | None = None  # only when one version is asked for


class TemplateView(BaseModel):
    template_id: str
    school_id: str
    audience: Audience
    title: str
    versions: list[VersionView] = []


class HeldView(BaseModel):
    audience: Audience
    version: int
    signed_on: date


class RegisterEntry(BaseModel):
    person_id: str
    name: str
    kind: PersonKind
    year_group: int | None = None
    class_name: str | None = None
    left_on: date | None = None
    status: AccessStatus
    reason: str | None = None
    since: datetime | None = None
    until: date | None = None
    signed: list[HeldView] = []


class OutstandingView(BaseModel):
    person_id: str
    name: str
    kind: PersonKind
    audience: Audience
    template_id: str
    signed_version: int | None
    latest_version: int


class HistoryEntry(BaseModel):
    at: datetime
    entry: str  # signed, withdrawn, access granted / suspended / revoked
    audience: Audience | None = None
    version: int | None = None
    method: SignMethod | None = None
    dated: date | None = None
    actor: str | None = None
    detail: str | None = None


class RegisterPage(Page[RegisterEntry]):
    pass


class CsvText(BaseModel):
    csv: str
