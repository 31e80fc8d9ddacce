"""GraphQL types of the directory, built from its contract views (never from its tables)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from services.directory.contracts import ClassView, PersonView, SchoolView
from services.directory.contracts import PeoplePage as PeoplePageView
from services.gateway.enums import PersonKind, Phase, Role


@strawberry.type
class School:
    school_id: str
    la_id: str
    name: str
    urn: str = strawberry.field(description="DfE unique reference number")
    phase: Phase

    @classmethod
    def of(cls, data: Any) -> School:
        return cls(**SchoolView.model_validate(data).model_dump())


@strawberry.type(description="A parent/carer of a pupil, or a pupil of a parent/carer.")
class Link:
    person_id: str
    name: str
    relationship: str
    parental_responsibility: bool


@strawberry.type(description="A staff member named on a record.")
class StaffRef:
    person_id: str
    name: str


@strawberry.type(description="A class (teaching group), from the MIS roster or the school.")
class SchoolClass:
    class_id: str
    school_id: str
    name: str
    year_group: int | None = strawberry.field(description="0 = Reception")
    mis_id: str | None
    closed: bool
    teachers: list[StaffRef]
    pupils: int = strawberry.field(description="current pupils in it")

    @classmethod
    def of(cls, data: Any) -> SchoolClass:
        view = ClassView.model_validate(data)
        return cls(**view.model_dump(exclude={"teachers"}),
                   teachers=[StaffRef(**t.model_dump()) for t in view.teachers])


@strawberry.type
class Person:
    person_id: str
    school_id: str
    kind: PersonKind
    given_name: str
    family_name: str
    year_group: int | None = strawberry.field(description="0 = Reception")
    class_name: str | None
    mis_id: str | None
    email: str | None
    roles: list[Role]
    username: str | None
    left_on: date | None
    leave_reason: str | None
    enrolled_at: datetime
    guardians: list[Link]
    children: list[Link]

    @classmethod
    def of(cls, data: Any) -> Person:
        return cls._from(PersonView.model_validate(data))

    @classmethod
    def _from(cls, view: PersonView) -> Person:
        # The links arrive with the view (one query per page in the service): no N+1 here.
        plain = view.model_dump(exclude={"guardians", "children"})
        return cls(**plain, guardians=[Link(**g.model_dump()) for g in view.guardians],
                   children=[Link(**c.model_dump()) for c in view.children])


@strawberry.type
class PeoplePage:
    items: list[Person]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, data: Any) -> PeoplePage:
        page = PeoplePageView.model_validate(data)
        return cls(items=[Person._from(p) for p in page.items], total=page.total,
                   offset=page.offset, limit=page.limit)


@strawberry.type(description="A command was accepted for this person.")
class PersonRef:
    person_id: str


@strawberry.type
class Account:
    person_id: str
    username: str
