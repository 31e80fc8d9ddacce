"""GraphQL types and inputs of the roster feature, built from the directory's contract."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from services.directory.integrations.contracts import KeyView, SyncReport
from services.gateway.enums import PersonKind, Role


@strawberry.enum(description="What an integrator key may do.")
class ApiScope(Enum):
    ROSTER_WRITE = "roster:write"
    CAPTURES_WRITE = "captures:write"
    FILTERING_WRITE = "filtering:write"


@strawberry.enum(description="DELTA changes only the people sent; FULL also makes leavers of "
                 "the school's MIS people it does not name.")
class SyncMode(Enum):
    DELTA = "delta"
    FULL = "full"


@strawberry.type
class ApiKey:
    key_id: str
    school_id: str
    name: str
    scopes: list[ApiScope]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_by: str | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    uses: int

    @classmethod
    def of(cls, data: Any) -> ApiKey:
        view = KeyView.model_validate(data)
        return cls(**view.model_dump(exclude={"scopes"}),
                   scopes=[ApiScope(s.value) for s in view.scopes])


@strawberry.type
class IssuedApiKey:
    key_id: str
    secret: str = strawberry.field(description="shown once: send as 'Authorization: ApiKey "
                                   "<secret>'; only its hash is kept")


@strawberry.type
class RejectedRow:
    row: str = strawberry.field(description="people[3], or users.csv:4 for an upload")
    mis_id: str | None
    reason: str


@strawberry.type(description="What a roster sync changed, by MIS id.")
class ChangeReport:
    mode: SyncMode
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    left: list[str]
    rejected: list[RejectedRow]
    classes_recorded: list[str] = strawberry.field(description="new or changed classes")
    classes_closed: list[str] = strawberry.field(description="classes a full sync no longer "
                                                 "names")

    @classmethod
    def of(cls, report: SyncReport) -> ChangeReport:
        return cls(mode=SyncMode(report.mode.value), created=report.created,
                   updated=report.updated, unchanged=report.unchanged, left=report.left,
                   rejected=[RejectedRow(**r.model_dump()) for r in report.rejected],
                   classes_recorded=report.classes_recorded,
                   classes_closed=report.classes_closed)


@strawberry.input(description="A class as the MIS has it, by the MIS's own stable id.")
class RosterClassInput:
    mis_id: str
    name: str = strawberry.field(description="what pupils' className refers to")
    year_group: int | None = None
    teachers: list[str] | None = strawberry.field(default=None,
                                                  description="staff members' MIS ids")

    def row(self) -> dict[str, Any]:
        return {"mis_id": self.mis_id, "name": self.name, "year_group": self.year_group,
                "teachers": self.teachers or []}


@strawberry.input(description="One person as the MIS has them, by the MIS's own stable id.")
class RosterPersonInput:
    mis_id: str
    kind: PersonKind = strawberry.field(description="PUPIL, STAFF or PARENT")
    given_name: str
    family_name: str
    year_group: int | None = strawberry.field(default=None, description="pupils; 0 = Reception")
    class_name: str | None = None
    email: str | None = None
    date_of_birth: str | None = strawberry.field(
        default=None, description="YYYY-MM-DD; checked per row, so a bad one rejects that row")
    roles: list[Role] | None = strawberry.field(default=None, description="staff: TEACHER, "
                                                "TECHNICIAN, ICT_LEAD, GOVERNOR")
    guardian_of: list[str] | None = strawberry.field(default=None,
                                                     description="parents: pupils' MIS ids")
    relationship: str | None = None

    def row(self) -> dict[str, Any]:
        data = {"mis_id": self.mis_id, "kind": self.kind.value, "given_name": self.given_name,
                "family_name": self.family_name, "year_group": self.year_group,
                "class_name": self.class_name, "email": self.email,
                "date_of_birth": self.date_of_birth,
                "roles": [r.value for r in self.roles or ()],
                "guardian_of": self.guardian_of or [], "relationship": self.relationship}
        return {k: v for k, v in data.items() if v is not None}
