"""Demo data for the embedded platform: Northshire Council, Oakridge and Glenfield (fictional).

Loaded through the directory's own RPC, as the platform (`system_claims`), so it takes the same
path as real data. It is idempotent: ids are fixed, and a command answered with `AlreadyExists`
means an earlier run did it. Passwords are never in the repository: they are generated on the
first load and kept in `<data_dir>/demo-logins.json` (0600), or taken from
`ESAFETY_DEMO_PASSWORD` (tests).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from services.directory.contracts import SERVICE, Authenticate, GetPerson
from services.directory.domain.commands import (
    AssignRole,
    Command,
    EnrolPerson,
    EstablishAuthority,
    LinkGuardian,
    OnboardSchool,
    OpenAccount,
    RecordClass,
    RecordLeaver,
)
from services.directory.domain.events import PersonKind, Phase
from shared.claims import Role, system_claims
from shared.errors import AlreadyExists, InvalidInput, NotFound, Unauthenticated
from shared.passwords import hash_password
from shared.rpc import RpcClient, ServiceUnavailable

log = logging.getLogger(__name__)

LA_ID = "la-northshire"
LA_NAME = "Northshire Council"
CALLER = system_claims(LA_ID)
LOGINS_FILE = "demo-logins.json"
PASSWORD_ENV = "ESAFETY_DEMO_PASSWORD"
# Projections are eventually consistent: how long to wait for the demo's writes to show.
SETTLE_SECONDS = 30.0


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str | None  # None: set on an earlier run and no longer known
    school: str  # school id, or the LA id for LA staff
    name: str
    roles: tuple[Role, ...]


class Member(NamedTuple):
    """Someone who logs in: staff, governor or LA staff. `handle` makes the username."""

    handle: str
    given: str
    family: str
    roles: tuple[Role, ...]
    kind: PersonKind = PersonKind.STAFF


class Pupil(NamedTuple):
    given: str
    family: str
    year_group: int  # 0 = Reception
    carer: str | None = None  # "Given Family"; pupils naming the same carer are siblings
    relationship: str = "parent"


@dataclass(frozen=True)
class Leaver:
    pupil: int  # index into the school's pupils
    left_on: date
    reason: str


@dataclass(frozen=True)
class SchoolSpec:
    school_id: str
    name: str
    urn: str
    classes: dict[int, str]  # year group -> class name
    members: tuple[Member, ...]
    pupils: tuple[Pupil, ...]
    leaver: Leaver | None = None


R = Role
GOV = PersonKind.GOVERNOR

LA_MEMBERS = (
    Member("admin", "Andrew", "Kemp", (R.LA_ADMIN,), PersonKind.LA_STAFF),
    Member("moderator1", "Fiona", "Grant", (R.LA_MODERATOR,), PersonKind.LA_STAFF),
    Member("moderator2", "Samuel", "Osei", (R.LA_MODERATOR,), PersonKind.LA_STAFF),
)

# Emma Perkin, Mr Fisher and Mrs K Lincoln are named in Oakridge's policy; the rest is invented.
OAKRIDGE = SchoolSpec(
    school_id="oakridge", name="Oakridge Primary School", urn="990101",
    classes={0: "Robins", 1: "Wrens", 2: "Finches", 3: "Kestrels", 4: "Owls", 5: "Falcons",
             6: "Eagles"},
    members=(
        Member("head", "Helen", "Whitmore", (R.HEADTEACHER,)),
        Member("esafety", "Emma", "Perkin", (R.ESAFETY_COORDINATOR, R.TEACHER)),
        Member("dsl", "Daniel", "Fisher", (R.DSL,)),
        Member("deputydsl", "James", "Okafor", (R.DEPUTY_DSL, R.TEACHER)),
        Member("technician", "Gary", "Holt", (R.TECHNICIAN,)),
        Member("teacher1", "Priya", "Shah", (R.TEACHER,)),
        Member("teacher2", "Tom", "Bennett", (R.TEACHER,)),
        Member("admin", "Linda", "Marsh", (R.SCHOOL_ADMIN,)),
        Member("governor", "Kathryn", "Lincoln", (R.GOVERNOR,), GOV),
    ),
    pupils=(
        Pupil("Amelia", "Hughes", 0, "Laura Hughes", "mother"),
        Pupil("Isla", "Patel", 0, "Ravi Patel", "father"),
        Pupil("Oliver", "Bryant", 1, "Michelle Bryant", "mother"),
        Pupil("Freya", "Collins", 1),
        Pupil("Noah", "Hughes", 2, "Laura Hughes", "mother"),
        Pupil("Leo", "Nowak", 3, "Agnieszka Nowak", "mother"),
        Pupil("Poppy", "Graham", 3, "Steven Graham", "father"),
        Pupil("Harry", "Ellis", 4, "Janet Ellis", "grandparent"),
        Pupil("Ava", "Mensah", 5, "Kwame Mensah", "father"),
        Pupil("Jack", "Turner", 5),
        Pupil("George", "Walsh", 6, "Paul Walsh", "carer"),
        Pupil("Evie", "Morgan", 6, "Sian Morgan", "mother"),
    ),
)

GLENFIELD = SchoolSpec(
    school_id="glenfield", name="Glenfield Primary School", urn="990202",
    classes={0: "Acorns", 1: "Hazel", 2: "Rowan", 3: "Willow", 4: "Birch", 5: "Oak", 6: "Cedar"},
    members=(
        Member("head", "Rachel", "Adeyemi", (R.HEADTEACHER,)),
        Member("dsl", "Claire", "Donovan", (R.DSL,)),
        Member("deputydsl", "Mohammed", "Iqbal", (R.DEPUTY_DSL, R.TEACHER)),
        Member("ictlead", "Owen", "Price", (R.ICT_LEAD, R.TEACHER)),
        Member("teacher1", "Hannah", "Lewis", (R.TEACHER,)),
        Member("teacher2", "Ben", "Carver", (R.TEACHER,)),
        Member("governor", "Patricia", "Nolan", (R.GOVERNOR,), GOV),
        Member("admin", "Julie", "Rowe", (R.SCHOOL_ADMIN,)),
    ),
    pupils=(
        Pupil("Alfie", "Clarke", 0, "Gemma Clarke", "mother"),
        Pupil("Maya", "Singh", 0),
        Pupil("Zara", "Ahmed", 1, "Farah Ahmed", "mother"),
        Pupil("Theo", "Fletcher", 2, "Mark Fletcher", "father"),
        Pupil("Ruby", "Fletcher", 4, "Mark Fletcher", "father"),
        Pupil("Oscar", "Jenkins", 2, "Karen Jenkins", "mother"),
        Pupil("Lily", "Doyle", 3, "Sean Doyle", "father"),
        Pupil("Archie", "Baker", 3, "Tracey Baker", "carer"),
        Pupil("Grace", "Kowalski", 4, "Marta Kowalski", "mother"),
        Pupil("Mason", "Price", 5),
        Pupil("Chloe", "Evans", 6, "Rhian Evans", "mother"),
        Pupil("Ethan", "Murphy", 6, "Liam Murphy", "father"),
    ),
    leaver=Leaver(pupil=7, left_on=date(2024, 7, 19), reason="moved out of the area"),
)

SCHOOLS = (OAKRIDGE, GLENFIELD)


@dataclass(frozen=True)
class _Account:
    """A member placed in its tenant, with the ids and username the demo gives it."""

    tenant: str  # school id, or the LA id
    prefix: str  # username prefix: "oakridge", "la"
    member: Member

    @property
    def username(self) -> str:
        return f"{self.prefix}.{self.member.handle}"

    @property
    def person_id(self) -> str:
        return f"{self.tenant}-{self.member.handle}"


def _accounts() -> list[_Account]:
    la = [_Account(LA_ID, "la", m) for m in LA_MEMBERS]
    return la + [_Account(s.school_id, s.school_id, m) for s in SCHOOLS for m in s.members]


async def load_demo(rpc: RpcClient, data_dir: Path) -> list[DemoLogin]:
    """Create (or find) the demo LA, schools and people; return the logins, each verified."""
    accounts = _accounts()
    passwords, saved = _passwords(data_dir / LOGINS_FILE, [a.username for a in accounts])
    await _send(rpc, EstablishAuthority(la_id=LA_ID, name=LA_NAME))
    await asyncio.gather(*(_send(rpc, OnboardSchool(
        school_id=s.school_id, la_id=LA_ID, name=s.name, urn=s.urn, phase=Phase.PRIMARY))
        for s in SCHOOLS))
    # Pupils before parents: LinkGuardian checks that the pupil exists.
    opened, _ = await asyncio.gather(
        asyncio.gather(*(_member(rpc, a, passwords[a.username]) for a in accounts)),
        asyncio.gather(*(_pupil(rpc, s, i) for s in SCHOOLS for i in range(len(s.pupils)))))
    await asyncio.gather(*(_carer(rpc, s, carer) for s in SCHOOLS for carer in _carers(s)))
    await asyncio.gather(*(_classes(rpc, s, accounts) for s in SCHOOLS))
    await asyncio.gather(*(_leaver(rpc, s, s.leaver) for s in SCHOOLS if s.leaver))
    # A password is certain if this run set it, or if the file had it before the account
    # could exist; only the rest (the file was lost) are tried against the directory.
    logins = await asyncio.gather(*(
        _ready(rpc, a, passwords[a.username], certain=new or a.username in saved)
        for a, new in zip(accounts, opened, strict=True)))
    unknown = {lg.username for lg in logins if lg.password is None}
    if unknown:
        log.warning("%d demo logins have passwords no longer known (was %s lost?); "
                    "delete the data folder for fresh ones", len(unknown), LOGINS_FILE)
        write_private(data_dir / LOGINS_FILE,  # so a later run does not trust them
                       {u: pw for u, pw in {**saved, **passwords}.items() if u not in unknown})
    return list(logins)


def _passwords(path: Path, usernames: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Password per username: the file's (the account may already exist), else the env's,
    else a random one. Saved before any account is opened, so a crash cannot lose one."""
    saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    shared = os.environ.get(PASSWORD_ENV)
    passwords = {u: saved.get(u) or shared or secrets.token_urlsafe(12) for u in usernames}
    if any(saved.get(u) != pw for u, pw in passwords.items()):
        write_private(path, {**saved, **passwords})
    return passwords, saved


def write_private(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(data, out, indent=2, sort_keys=True)
    os.replace(tmp, path)  # atomic: a half-written file never replaces a good one


async def _send(rpc: RpcClient, command: Command, attempts: int = 3) -> bool:
    """Run a command; False if it was done by an earlier run (`AlreadyExists`). A slow
    machine may time a request out: the commands are idempotent, so it is sent again."""
    for attempt in range(1, attempts + 1):
        try:
            await rpc.call(SERVICE, type(command).__name__, command, CALLER)
        except AlreadyExists:
            return False
        except ServiceUnavailable:
            if attempt == attempts:
                raise
            log.warning("%s timed out; sending it again", type(command).__name__)
            continue
        return True
    return True


async def _member(rpc: RpcClient, account: _Account, password: str) -> bool:
    """Enrol, grant roles, open the login; True if this run opened it."""
    m, pid, tenant = account.member, account.person_id, account.tenant
    domain = "northshire.example" if tenant == LA_ID else f"{tenant}.sch.example"
    await _send(rpc, EnrolPerson(
        school_id=tenant, person_id=pid, kind=m.kind, given_name=m.given, family_name=m.family,
        email=f"{m.given[0].lower()}.{m.family.lower()}@{domain}"))
    for role in m.roles:  # AssignRole of a role already held is a no-op
        await _send(rpc, AssignRole(school_id=tenant, person_id=pid, role=role))
    if (await _get(rpc, tenant, pid)).get("username") == account.username:
        return False  # opened on an earlier run: spare the deliberately slow hash
    return await _send(rpc, OpenAccount(
        school_id=tenant, person_id=pid, username=account.username,
        password_hash=await hash_password(password)))


def _pupil_id(school: SchoolSpec, index: int) -> str:
    return f"{school.school_id}-p{index + 1:02d}"


async def _pupil(rpc: RpcClient, school: SchoolSpec, index: int) -> None:
    p = school.pupils[index]
    await _send(rpc, EnrolPerson(
        school_id=school.school_id, person_id=_pupil_id(school, index), kind=PersonKind.PUPIL,
        given_name=p.given, family_name=p.family, year_group=p.year_group,
        class_name=school.classes[p.year_group],
        mis_id=f"{school.school_id[:3].upper()}{index + 1:04d}"))


async def _classes(rpc: RpcClient, school: SchoolSpec, accounts: list[_Account]) -> None:
    """One class per year group; the school's teachers share them out, a class each in turn."""
    teachers = [a.person_id for a in accounts
                if a.tenant == school.school_id and Role.TEACHER in a.member.roles]
    for year, name in school.classes.items():
        await rpc.call(SERVICE, "RecordClass", RecordClass(
            school_id=school.school_id, class_id=f"{school.school_id}-class-y{year}", name=name,
            year_group=year, teacher_ids=(teachers[year % len(teachers)],)), CALLER)


def _carers(school: SchoolSpec) -> list[tuple[str, str, list[int]]]:
    """(person id, name, pupil indexes) per distinct carer, numbered by first appearance."""
    order: dict[str, list[int]] = {}
    for i, p in enumerate(school.pupils):
        if p.carer:
            order.setdefault(p.carer, []).append(i)
    return [(f"{school.school_id}-c{n:02d}", name, kids)
            for n, (name, kids) in enumerate(order.items(), start=1)]


async def _carer(rpc: RpcClient, school: SchoolSpec, carer: tuple[str, str, list[int]]) -> None:
    pid, name, kids = carer
    given, family = name.split(" ", 1)
    await _send(rpc, EnrolPerson(school_id=school.school_id, person_id=pid,
                                 kind=PersonKind.PARENT, given_name=given, family_name=family))
    for i in kids:  # linking twice is a no-op
        await _send(rpc, LinkGuardian(school_id=school.school_id, person_id=pid,
                                      pupil_id=_pupil_id(school, i),
                                      relationship=school.pupils[i].relationship))


async def _leaver(rpc: RpcClient, school: SchoolSpec, leaver: Leaver) -> None:
    pid = _pupil_id(school, leaver.pupil)
    try:
        await _send(rpc, RecordLeaver(school_id=school.school_id, person_id=pid,
                                      left_on=leaver.left_on, reason=leaver.reason))
    except InvalidInput:
        # A second RecordLeaver is refused as "has left" (not AlreadyExists): accept that
        # only once the directory confirms the pupil has left.
        await _until(lambda: _get(rpc, school.school_id, pid),
                     lambda p: p.get("left_on") is not None, f"{pid} to show as left")


async def _ready(rpc: RpcClient, account: _Account, password: str,
                 certain: bool) -> DemoLogin:
    """Wait until the login shows in the directory (so it works when printed); check an
    uncertain password against it, so that the table never lists one that fails."""
    await _until(lambda: _get(rpc, account.tenant, account.person_id),
                 lambda p: p.get("username") == account.username,
                 f"the login {account.username}")
    m = account.member
    login = DemoLogin(account.username, password, account.tenant, f"{m.given} {m.family}",
                      m.roles)
    if certain:
        return login
    try:
        await rpc.call(SERVICE, "Authenticate",
                       Authenticate(username=login.username, password=password), None)
    except Unauthenticated:
        return replace(login, password=None)
    return login


async def _get(rpc: RpcClient, school_id: str, person_id: str) -> dict[str, Any]:
    try:
        found = await rpc.call(SERVICE, "GetPerson",
                               GetPerson(school_id=school_id, person_id=person_id), CALLER)
    except NotFound:
        return {}  # not projected yet
    assert isinstance(found, dict)
    return found


async def _until(probe: Callable[[], Awaitable[dict[str, Any]]],
                 ok: Callable[[dict[str, Any]], bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_SECONDS
    while not ok(await probe()):
        if loop.time() > deadline:
            raise TimeoutError(f"waited {SETTLE_SECONDS:.0f}s for {what}")
        await asyncio.sleep(0.1)
