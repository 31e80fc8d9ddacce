"""Agreement entry points: commands and queries over NATS request-reply.

Each handler authorises the caller for the school named in the request, then either runs a
command through the bus or reads the projections.
"""

from __future__ import annotations

from services.agreement import queries, subject_access
from services.agreement.assess import SchoolTerms, reassess_school, today
from services.agreement.contracts import (
    SERVICE,
    CsvText,
    ExportRegister,
    GetHistory,
    GetRegister,
    GetVersion,
    HistoryEntry,
    ListOutstanding,
    ListTemplates,
    OutstandingView,
    RegisterPage,
    TemplateView,
    VersionView,
)
from services.agreement.domain.access import Sign, Withdraw, access
from services.agreement.domain.commands import (
    CreateTemplate,
    EnforceGracePeriods,
    PublishVersion,
    SetAccessRules,
    SignAgreement,
    WithdrawConsent,
)
from services.agreement.domain.events import SignMethod
from services.agreement.domain.rules import rules
from services.agreement.domain.template import Publish, template, template_id
from services.agreement.people import People
from services.agreement.periodic import enforce_periodically
from services.agreement.projections import Register
from services.agreement.reactions import LeaverReaction, SanctionReaction
from shared.audit import RecordKind, record_view
from shared.claims import LA_ROLES, STAFF_ROLES, Claims, Role
from shared.errors import Forbidden
from shared.events import Metadata
from shared.rpc import RpcRouter
from shared.service import Kit, Wiring

# Who publishes a school's agreements and sets its rules.
PUBLISHERS = frozenset({Role.SCHOOL_ADMIN, Role.HEADTEACHER, Role.DSL,
                        Role.ESAFETY_COORDINATOR, Role.LA_ADMIN})
READERS = STAFF_ROLES | LA_ROLES


def authorise_signature(cmd: SignAgreement | WithdrawConsent, caller: Claims,
                        method: SignMethod) -> None:
    """Online: the signer themself. On paper: a member of staff records the form."""
    if method is SignMethod.ONLINE:
        caller.require_school(cmd.school_id)
        if caller.subject != cmd.person_id:
            raise Forbidden("only the signer signs online; staff record paper forms")
    else:
        caller.require_role(cmd.school_id, READERS)


def build(kit: Kit) -> Wiring:
    rpc, bus = RpcRouter(SERVICE), kit.bus

    @rpc.handler("CreateTemplate")
    async def create(cmd: CreateTemplate, caller: Claims) -> dict[str, str]:
        caller.require_school_role(cmd.school_id, PUBLISHERS)
        tid = template_id(cmd.school_id, cmd.audience)
        await bus.execute(template, tid, cmd, Metadata(school_id=cmd.school_id))
        return {"template_id": tid}

    @rpc.handler("PublishVersion")
    async def publish(cmd: PublishVersion, caller: Claims) -> dict[str, object]:
        caller.require_school_role(cmd.school_id, PUBLISHERS)
        done = await bus.execute(template, cmd.template_id, Publish(cmd, caller.subject),
                                 Metadata(school_id=cmd.school_id))
        await reassess_school(kit, cmd.school_id, today())
        return {"template_id": cmd.template_id, "version": done.state.latest}

    @rpc.handler("SignAgreement")
    async def sign(cmd: SignAgreement, caller: Claims) -> dict[str, object]:
        authorise_signature(cmd, caller, cmd.method)
        subject = cmd.on_behalf_of or cmd.person_id
        school = await SchoolTerms.load(kit, cmd.school_id)
        people = await queries.members_of(kit.db, cmd.school_id, [cmd.person_id, subject])
        terms, _ = await bus.load(template, cmd.template_id)
        done = await bus.execute(access, subject, Sign(
            cmd, people.get(cmd.person_id), terms, school.context(people.get(subject), today()),
            recorded_by=caller.subject), Metadata(school_id=cmd.school_id))
        return {"person_id": subject, "status": done.state.status.value}

    @rpc.handler("WithdrawConsent")
    async def withdraw(cmd: WithdrawConsent, caller: Claims) -> dict[str, object]:
        on_paper = caller.subject != cmd.person_id
        authorise_signature(cmd, caller, SignMethod.PAPER if on_paper else SignMethod.ONLINE)
        subject = cmd.on_behalf_of or cmd.person_id
        school = await SchoolTerms.load(kit, cmd.school_id)
        people = await queries.members_of(kit.db, cmd.school_id, [cmd.person_id, subject])
        done = await bus.execute(access, subject, Withdraw(
            cmd, people.get(cmd.person_id), school.context(people.get(subject), today())),
            Metadata(school_id=cmd.school_id))
        return {"person_id": subject, "status": done.state.status.value}

    @rpc.handler("SetAccessRules")
    async def set_rules(cmd: SetAccessRules, caller: Claims) -> dict[str, object]:
        caller.require_school_role(cmd.school_id, PUBLISHERS)
        await bus.execute(rules, cmd.school_id, cmd, Metadata(school_id=cmd.school_id))
        changed = await reassess_school(kit, cmd.school_id, today())
        return {"school_id": cmd.school_id, "changed": changed}

    @rpc.handler("EnforceGracePeriods")
    async def enforce(cmd: EnforceGracePeriods, caller: Claims) -> dict[str, object]:
        caller.require_school_role(cmd.school_id, PUBLISHERS)
        changed = await reassess_school(kit, cmd.school_id, cmd.as_of)
        return {"school_id": cmd.school_id, "changed": changed}

    @rpc.handler("ListTemplates")
    async def list_templates(q: ListTemplates, caller: Claims) -> list[TemplateView]:
        caller.require_role(q.school_id, READERS)
        return await queries.templates_of(kit.db, q.school_id)

    @rpc.handler("GetVersion")
    async def get_version(q: GetVersion, caller: Claims) -> VersionView:
        # Everyone at the school may read what they are asked to sign.
        caller.require_school(q.school_id)
        return await queries.version(kit.db, q.school_id, q.template_id, q.version)

    @rpc.handler("GetRegister")
    async def get_register(q: GetRegister, caller: Claims) -> RegisterPage:
        caller.require_role(q.school_id, READERS)
        return RegisterPage(items=await queries.register(kit.db, q, limit=q.limit,
                                                         offset=q.offset),
                            total=await queries.register_size(kit.db, q),
                            offset=q.offset, limit=q.limit)

    @rpc.handler("ExportRegister")
    async def export(q: ExportRegister, caller: Claims) -> CsvText:
        caller.require_role(q.school_id, READERS)
        return CsvText(csv=queries.as_csv(await queries.register(kit.db, q)))

    @rpc.handler("ListOutstanding")
    async def list_outstanding(q: ListOutstanding, caller: Claims) -> list[OutstandingView]:
        caller.require_role(q.school_id, READERS)
        school = await SchoolTerms.load(kit, q.school_id)
        return await queries.outstanding(kit.db, q.school_id, school.rules, q.audience)

    @rpc.handler("GetHistory")
    async def get_history(q: GetHistory, caller: Claims) -> list[HistoryEntry]:
        caller.require_school(q.school_id)
        # Oneself and one's own children (a parent following their consent) need no role.
        if caller.subject != q.person_id:
            me = (await queries.members_of(kit.db, q.school_id, [caller.subject])).get(
                caller.subject)
            if me is None or q.person_id not in me.children:
                caller.require_role(q.school_id, READERS)
        entries = await queries.person_history(kit.db, q.school_id, q.person_id)
        await record_view(kit.store, q.school_id, caller, RecordKind.PERSON_HISTORY,
                          q.person_id, [q.person_id], "GetHistory")
        return entries

    subject_access.serve(rpc, kit)
    projections = [Register(), People(), LeaverReaction(kit.store, kit.registry),
                   SanctionReaction(kit.store, kit.registry)]
    async def grace_periods() -> None:
        await enforce_periodically(kit)

    return Wiring(rpc=rpc, projections=projections, tasks=[grace_periods])
