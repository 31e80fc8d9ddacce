"""The integrations contract: API keys and the roster sync (requests and replies)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.directory.domain.commands import Name, Slug
from services.directory.domain.events import PersonKind
from shared.claims import Claims, Role, Scope

MAX_ROWS = 20_000


class Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class IssueKey(Request):
    school_id: str = Slug
    name: str = Name
    scopes: frozenset[Scope] = Field(min_length=1)
    expires_at: datetime | None = None


class RevokeKey(Request):
    school_id: str = Slug
    key_id: str = Field(min_length=1, max_length=32)


class ListKeys(Request):
    school_id: str = Slug


class VerifyApiKey(Request):
    key: str = Field(min_length=1, max_length=200)


class IssuedKey(BaseModel):
    key_id: str
    secret: str  # shown once: only its hash is kept


class KeyView(BaseModel):
    key_id: str
    school_id: str
    name: str
    scopes: list[Scope]
    created_by: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_by: str | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    uses: int = 0


class Verified(BaseModel):
    claims: Claims


class SyncMode(StrEnum):
    DELTA = "delta"
    FULL = "full"


class RosterPerson(Request):
    """One person as the MIS sends it; `mis_id` is the MIS's own stable id."""

    mis_id: str = Field(min_length=1, max_length=64)
    kind: PersonKind
    given_name: str = Name
    family_name: str = Name
    year_group: int | None = Field(default=None, ge=0, le=14)
    class_name: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=200)
    date_of_birth: date | None = None
    roles: frozenset[Role] = frozenset()
    guardian_of: list[str] = Field(default=[], description="MIS ids of the pupils")
    relationship: str = Field(default="parent", min_length=1, max_length=40)


class RosterClass(Request):
    """A class as the MIS sends it; teachers by their MIS ids."""

    mis_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=40)
    year_group: int | None = Field(default=None, ge=0, le=14)
    teachers: list[str] = Field(default=[], max_length=50)


class RowRejection(BaseModel):
    row: str  # "people[3]", or "users.csv:4" for an upload
    mis_id: str | None = None
    reason: str


class SyncRoster(Request):
    school_id: str = Slug
    mode: SyncMode = SyncMode.DELTA
    # Checked one by one, so that one bad row is rejected alone.
    people: list[dict[str, Any]] = Field(max_length=MAX_ROWS)
    labels: list[str] | None = Field(default=None, description="row names, as people")
    classes: list[RosterClass] | None = Field(
        default=None, max_length=2000,
        description="when given, recorded, and the only classes a pupil may name")
    rejected: list[RowRejection] = Field(default=[], description="refused before the sync "
                                         "(e.g. by the upload's parser); kept from leaving")
    # A large roster arrives in several requests (a NATS message holds ~1 MB): the last one
    # of a full sync names every MIS id the whole roster had.
    present: list[str] = Field(default=[], max_length=MAX_ROWS)


class SyncReport(BaseModel):
    mode: SyncMode
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    left: list[str] = []
    rejected: list[RowRejection] = []
    classes_recorded: list[str] = Field(default=[], description="new or changed, by MIS id")
    classes_closed: list[str] = []
