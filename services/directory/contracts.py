"""The directory's public contract: queries and the views it answers with.

Commands are in `domain/commands.py` and are part of the contract too. The gateway and other
callers use these models; they never see the service's tables.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.directory.domain.commands import Slug
from services.directory.domain.events import PersonKind, Phase
from shared.claims import Claims, Role
from shared.pages import Page, Paging

SERVICE = "directory"


class Query(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ListSchools(Query):
    pass


class GetSchool(Query):
    school_id: str = Slug


class ListTransferSchools(Query):
    """The LA's other schools, where a leaver's safeguarding record may be sent (the school's
    DSL, deputy DSL and headteacher: they choose where; no other school's detail is shown)."""

    school_id: str = Slug


class ListPeople(Query, Paging):
    school_id: str = Slug
    kind: PersonKind | None = None
    role: Role | None = None
    year_group: int | None = Field(default=None, ge=0, le=14)
    search: str | None = Field(default=None, max_length=100)
    include_leavers: bool = False


class GetPerson(Query):
    school_id: str = Slug
    person_id: str = Field(min_length=1, max_length=64)


class Authenticate(Query):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class CheckSession(Query):
    """Is a signed-in person still who their token says (the gateway asks, briefly cached)?"""

    person_id: str = Field(min_length=1, max_length=64)


class SessionState(BaseModel):
    active: bool = Field(description="still at the school (not a leaver) with a login")
    roles: frozenset[Role] = frozenset()


class SchoolView(BaseModel):
    school_id: str
    la_id: str
    name: str
    urn: str
    phase: Phase


class Link(BaseModel):
    person_id: str
    name: str
    relationship: str
    parental_responsibility: bool


class ListClasses(Query):
    school_id: str = Slug
    include_closed: bool = False


class PersonRef(BaseModel):
    person_id: str
    name: str


class ClassView(BaseModel):
    class_id: str
    school_id: str
    name: str
    year_group: int | None = None
    mis_id: str | None = None
    closed: bool = False
    teachers: list[PersonRef] = []
    pupils: int = Field(description="current pupils whose class this is")


class PersonView(BaseModel):
    person_id: str
    school_id: str
    kind: PersonKind
    given_name: str
    family_name: str
    year_group: int | None = None
    class_name: str | None = None
    mis_id: str | None = None
    email: str | None = None
    roles: list[Role] = []
    username: str | None = None
    left_on: date | None = None
    leave_reason: str | None = None
    enrolled_at: datetime
    guardians: list[Link] = []
    children: list[Link] = []


class PeoplePage(Page[PersonView]):
    pass


class Authenticated(BaseModel):
    claims: Claims
