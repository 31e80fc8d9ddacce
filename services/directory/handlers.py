"""Directory entry points: commands and queries over NATS request-reply.

Each handler authorises the caller for the tenant named in the request, then either runs a
command through the bus or reads the projection.
"""

from __future__ import annotations

from sqlalchemy import insert

from services.directory import queries, subject_access
from services.directory.contracts import (
    SERVICE,
    Authenticate,
    Authenticated,
    CheckSession,
    ClassView,
    GetPerson,
    GetSchool,
    ListClasses,
    ListPeople,
    ListSchools,
    ListTransferSchools,
    PeoplePage,
    PersonView,
    SchoolView,
    SessionState,
)
from services.directory.domain import person, tenancy, username
from services.directory.domain.commands import (
    AssignRole,
    CloseClass,
    EnrolPerson,
    EstablishAuthority,
    LinkGuardian,
    OnboardSchool,
    OpenAccount,
    RecordClass,
    RecordLeaver,
    RemoveRole,
)
from services.directory.domain.events import PersonKind
from services.directory.domain.school_class import school_class
from services.directory.integrations import tables as integration_tables
from services.directory.integrations.handlers import add_integration_handlers
from services.directory.projections import DirectoryView, credentials, credentials_metadata
from shared.claims import LA_ROLES, SAFEGUARDING_ROLES, STAFF_ROLES, Claims, Role
from shared.errors import Forbidden, NotFound, Unauthenticated
from shared.events import Metadata
from shared.eventstore import NewEvents
from shared.rpc import RpcRouter
from shared.service import Kit, Wiring

# Who may change a school's people: its admins and head, or the LA's admins.
PEOPLE_ADMINS = frozenset({Role.SCHOOL_ADMIN, Role.HEADTEACHER, Role.LA_ADMIN})


def build(kit: Kit) -> Wiring:
    rpc = RpcRouter(SERVICE)
    bus = kit.bus

    async def tenant_exists(school_id: str, kind: PersonKind) -> None:
        if kind is PersonKind.LA_STAFF:
            state, _ = await bus.load(tenancy.authority, school_id)
        else:
            state, _ = await bus.load(tenancy.school, school_id)
        if not state.exists:
            raise NotFound(f"no school or authority {school_id}", field="school_id")

    @rpc.handler("EstablishAuthority")
    async def establish(cmd: EstablishAuthority, caller: Claims) -> dict[str, str]:
        if caller.subject != "system":
            raise Forbidden("only the platform establishes a local authority")
        await bus.execute(tenancy.authority, cmd.la_id, cmd, Metadata(school_id=cmd.la_id))
        return {"la_id": cmd.la_id}

    @rpc.handler("OnboardSchool")
    async def onboard(cmd: OnboardSchool, caller: Claims) -> SchoolView:
        if not caller.has_any({Role.LA_ADMIN}) or caller.la_id != cmd.la_id:
            raise Forbidden("only the LA's admins onboard schools")
        await bus.execute(tenancy.school, cmd.school_id, cmd, Metadata(school_id=cmd.school_id))
        return SchoolView(**cmd.model_dump())

    @rpc.handler("EnrolPerson")
    async def enrol(cmd: EnrolPerson, caller: Claims) -> dict[str, str]:
        caller.require_role(cmd.school_id, PEOPLE_ADMINS)
        await tenant_exists(cmd.school_id, cmd.kind)
        await bus.execute(person.person, cmd.person_id, cmd, Metadata(school_id=cmd.school_id))
        return {"person_id": cmd.person_id}

    async def change(cmd: AssignRole | RemoveRole | LinkGuardian | RecordLeaver,
                     caller: Claims) -> dict[str, str]:
        caller.require_role(cmd.school_id, PEOPLE_ADMINS)
        if isinstance(cmd, AssignRole | RemoveRole) and cmd.role in LA_ROLES \
                and not caller.has_any({Role.LA_ADMIN}):
            raise Forbidden("only the LA's admins grant LA roles")
        if isinstance(cmd, LinkGuardian):
            pupil, _ = await bus.load(person.person, cmd.pupil_id)
            if pupil.school_id != cmd.school_id or pupil.kind is not PersonKind.PUPIL:
                raise NotFound(f"no pupil {cmd.pupil_id} at this school", field="pupil_id")
        await bus.execute(person.person, cmd.person_id, cmd, Metadata(school_id=cmd.school_id))
        return {"person_id": cmd.person_id}

    for name, model in (("AssignRole", AssignRole), ("RemoveRole", RemoveRole),
                        ("LinkGuardian", LinkGuardian), ("RecordLeaver", RecordLeaver)):
        rpc.add(name, change, model=model)

    @rpc.handler("OpenAccount")
    async def open_account(cmd: OpenAccount, caller: Claims) -> dict[str, str]:
        caller.require_role(cmd.school_id, PEOPLE_ADMINS)
        state, version = await bus.load(person.person, cmd.person_id)
        events = person.decide(cmd, state)
        name_state, name_version = await bus.load(username.username, cmd.username)
        claimed = username.decide(username.ClaimUsername(cmd.username, cmd.person_id), name_state)
        meta = Metadata(school_id=cmd.school_id)
        # One transaction: the username is claimed iff the account opens with its password.
        async with kit.db.begin() as conn:
            await kit.store.append_in(
                conn,
                NewEvents("person", cmd.person_id, version, events, meta),
                NewEvents("username", cmd.username, name_version, claimed, meta),
            )
            await conn.execute(insert(credentials).values(
                person_id=cmd.person_id, username=cmd.username, password_hash=cmd.password_hash))
        kit.store.appended.set()
        return {"person_id": cmd.person_id, "username": cmd.username}

    @rpc.handler("RecordClass")
    async def record_class(cmd: RecordClass, caller: Claims) -> dict[str, str]:
        caller.require_school_role(cmd.school_id, PEOPLE_ADMINS)
        staff = await bus.load_many(person.person, list(cmd.teacher_ids))
        for pid, (state, _) in staff.items():
            if state.school_id != cmd.school_id or state.kind is not PersonKind.STAFF:
                raise NotFound(f"no staff member {pid} at this school", field="teacher_ids")
        await bus.execute(school_class, cmd.class_id, cmd, Metadata(school_id=cmd.school_id))
        return {"class_id": cmd.class_id}

    @rpc.handler("CloseClass")
    async def close_class(cmd: CloseClass, caller: Claims) -> dict[str, str]:
        caller.require_school_role(cmd.school_id, PEOPLE_ADMINS)
        await bus.execute(school_class, cmd.class_id, cmd, Metadata(school_id=cmd.school_id))
        return {"class_id": cmd.class_id}

    @rpc.handler("ListClasses")
    async def list_classes(q: ListClasses, caller: Claims) -> list[ClassView]:
        caller.require_role(q.school_id, STAFF_ROLES | LA_ROLES)
        return await queries.classes_of(kit.db, q)

    @rpc.handler("ListSchools")
    async def list_schools(_: ListSchools, caller: Claims) -> list[SchoolView]:
        found = await queries.schools_of(kit.db, caller.la_id)
        return [s for s in found if caller.can_access(s.school_id)]

    @rpc.handler("ListTransferSchools")
    async def list_transfer_schools(q: ListTransferSchools, caller: Claims) -> list[SchoolView]:
        caller.require_school_role(q.school_id, SAFEGUARDING_ROLES)
        found = await queries.schools_of(kit.db, caller.la_id)
        return [s for s in found if s.school_id not in (q.school_id, caller.la_id)]

    @rpc.handler("GetSchool")
    async def get_school(q: GetSchool, caller: Claims) -> SchoolView:
        caller.require_school(q.school_id)
        return await queries.school(kit.db, q.school_id)

    @rpc.handler("ListPeople")
    async def list_people(q: ListPeople, caller: Claims) -> PeoplePage:
        caller.require_role(q.school_id, STAFF_ROLES | LA_ROLES)
        return await queries.people_page(kit.db, q)

    @rpc.handler("GetPerson")
    async def get_person(q: GetPerson, caller: Claims) -> PersonView:
        caller.require_role(q.school_id, STAFF_ROLES | LA_ROLES)
        return await queries.person(kit.db, q.school_id, q.person_id)

    @rpc.handler("Authenticate", public=True)
    async def authenticate(q: Authenticate, _: Claims) -> Authenticated:
        claims = await queries.authenticate(kit.db, q.username, q.password)
        if claims is None:
            raise Unauthenticated("unknown username or wrong password")
        return Authenticated(claims=claims)

    @rpc.handler("CheckSession", public=True)
    async def check_session(q: CheckSession, _: Claims) -> SessionState:
        return await queries.session(kit.db, q.person_id)

    add_integration_handlers(rpc, kit)
    subject_access.serve(rpc, kit)
    return Wiring(rpc=rpc, projections=[DirectoryView()],
                  tables=[credentials_metadata, integration_tables.metadata])
