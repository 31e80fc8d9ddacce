"""Directory queries and mutations: each resolver is one RPC to the directory service."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

import strawberry

from services.directory.contracts import SERVICE
from services.gateway.context import Info, signed_in
from services.gateway.directory.inputs import EnrolPersonInput, OnboardSchoolInput, body
from services.gateway.directory.types import (
    Account,
    PeoplePage,
    Person,
    PersonRef,
    School,
    SchoolClass,
)
from services.gateway.enums import PersonKind, Role
from shared.errors import InvalidInput
from shared.passwords import hash_password

MIN_PASSWORD = 10
MAX_PASSWORD = 200  # the directory's `Authenticate` refuses longer ones: never set one


@strawberry.type
class DirectoryQuery:
    @strawberry.field(extensions=signed_in(), description="Schools the caller may see.")
    async def schools(self, info: Info) -> list[School]:
        return [School.of(s) for s in await info.context.call(SERVICE, "ListSchools", {})]

    @strawberry.field(extensions=signed_in(), description=(
        "The LA's other schools a leaver's record may be sent to (the school's DSL, deputy DSL "
        "and headteacher)."))
    async def transfer_schools(self, info: Info, school_id: str) -> list[School]:
        return [School.of(s) for s in await info.context.call(
            SERVICE, "ListTransferSchools", {"school_id": school_id})]

    @strawberry.field(extensions=signed_in())
    async def school(self, info: Info, school_id: str) -> School:
        return School.of(await info.context.call(SERVICE, "GetSchool", {"school_id": school_id}))

    @strawberry.field(extensions=signed_in())
    async def people(self, info: Info, school_id: str, kind: PersonKind | None = None,
                     role: Role | None = None, year_group: int | None = None,
                     search: str | None = None, include_leavers: bool = False,
                     offset: int = 0, limit: int = 50) -> PeoplePage:
        query = {"school_id": school_id, "kind": kind, "role": role, "year_group": year_group,
                 "search": search, "include_leavers": include_leavers, "offset": offset,
                 "limit": limit}
        return PeoplePage.of(await info.context.call(SERVICE, "ListPeople", query))

    @strawberry.field(extensions=signed_in(), description="The school's classes, by year.")
    async def classes(self, info: Info, school_id: str,
                      include_closed: bool = False) -> list[SchoolClass]:
        query = {"school_id": school_id, "include_closed": include_closed}
        return [SchoolClass.of(c) for c in await info.context.call(SERVICE, "ListClasses", query)]

    @strawberry.field(extensions=signed_in())
    async def person(self, info: Info, school_id: str, person_id: str) -> Person:
        query = {"school_id": school_id, "person_id": person_id}
        return Person.of(await info.context.call(SERVICE, "GetPerson", query))


@strawberry.type
class DirectoryMutation:
    @strawberry.mutation(extensions=signed_in(), description="LA admins only.")
    async def onboard_school(self, info: Info, input: OnboardSchoolInput) -> School:
        # The LA is the caller's own: the service refuses any other anyway.
        cmd = body(input, la_id=info.context.caller.la_id)
        return School.of(await info.context.call(SERVICE, "OnboardSchool", cmd))

    @strawberry.mutation(extensions=signed_in())
    async def enrol_person(self, info: Info, input: EnrolPersonInput) -> PersonRef:
        cmd = body(input, person_id=input.person_id or str(uuid.uuid4()))
        return await _person_command(info, "EnrolPerson", cmd)

    @strawberry.mutation(extensions=signed_in())
    async def assign_role(self, info: Info, school_id: str, person_id: str,
                          role: Role) -> PersonRef:
        cmd = {"school_id": school_id, "person_id": person_id, "role": role}
        return await _person_command(info, "AssignRole", cmd)

    @strawberry.mutation(extensions=signed_in())
    async def remove_role(self, info: Info, school_id: str, person_id: str,
                          role: Role) -> PersonRef:
        cmd = {"school_id": school_id, "person_id": person_id, "role": role}
        return await _person_command(info, "RemoveRole", cmd)

    @strawberry.mutation(extensions=signed_in(), description="Link a parent/carer to a pupil.")
    async def link_guardian(self, info: Info, school_id: str, person_id: str, pupil_id: str,
                            relationship: str = "parent",
                            parental_responsibility: bool = True) -> PersonRef:
        cmd = {"school_id": school_id, "person_id": person_id, "pupil_id": pupil_id,
               "relationship": relationship, "parental_responsibility": parental_responsibility}
        return await _person_command(info, "LinkGuardian", cmd)

    @strawberry.mutation(extensions=signed_in())
    async def record_leaver(self, info: Info, school_id: str, person_id: str, left_on: date,
                            reason: str = "left") -> PersonRef:
        cmd = {"school_id": school_id, "person_id": person_id, "left_on": left_on,
               "reason": reason}
        return await _person_command(info, "RecordLeaver", cmd)

    @strawberry.mutation(extensions=signed_in(),
                         description="Record a class as it is now (schools without an MIS "
                                     "feed); a new one when classId is left out.")
    async def record_class(self, info: Info, school_id: str, name: str,
                           year_group: int | None = None, teacher_ids: list[str] | None = None,
                           class_id: str | None = None) -> str:
        cmd = {"school_id": school_id, "class_id": class_id or str(uuid.uuid4()), "name": name,
               "year_group": year_group, "teacher_ids": teacher_ids or []}
        return str((await info.context.call(SERVICE, "RecordClass", cmd))["class_id"])

    @strawberry.mutation(extensions=signed_in())
    async def close_class(self, info: Info, school_id: str, class_id: str) -> str:
        cmd = {"school_id": school_id, "class_id": class_id}
        return str((await info.context.call(SERVICE, "CloseClass", cmd))["class_id"])

    @strawberry.mutation(extensions=signed_in(), description="Give a person a login.")
    async def open_account(self, info: Info, school_id: str, person_id: str, username: str,
                           password: str) -> Account:
        # Fast deny before the deliberately slow hash; the service still decides.
        info.context.caller.require_school(school_id)
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise InvalidInput(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters",
                               field="password")
        cmd = {"school_id": school_id, "person_id": person_id, "username": username,
               "password_hash": await hash_password(password)}
        done = await info.context.call(SERVICE, "OpenAccount", cmd)
        return Account(person_id=done["person_id"], username=done["username"])


async def _person_command(info: Info, name: str, cmd: Mapping[str, object]) -> PersonRef:
    done = await info.context.call(SERVICE, name, dict(cmd))
    return PersonRef(person_id=done["person_id"])
