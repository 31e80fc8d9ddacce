"""Demo incidents for Oakridge and Glenfield, reported and handled through the incident
service's own RPC as the demo's members of staff would (their claims), after the directory's
and the sanction matrices' demos. Each school gets a few incidents of different categories and
types; one at each school has its sanction recommendation acted on (taken actions, a task, at
Oakridge the removal of internet access until a date). A school that has reported incidents
already is left alone, so loading twice changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from services.directory.demo import CALLER, GLENFIELD, LA_ID, OAKRIDGE, SETTLE_SECONDS, SchoolSpec
from shared.claims import Claims
from shared.errors import InvalidInput
from shared.rpc import RpcClient

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Demo:
    """One incident: who reports it, about whom, how it is classified and handled."""

    reporter: str  # a member's handle
    days_ago: int
    description: str
    came_to_light: str
    pupils: tuple[int, ...] = ()  # indexes into the school's pupils
    staff: tuple[str, ...] = ()  # handles
    url: str | None = None
    handler: str = "dsl"
    category: str | None = None
    incident_type: str | None = None
    cyber_bullying: bool = False
    child_protection: bool = False
    assign: bool = True
    take: tuple[tuple[str, str], ...] = ()  # (action, notes) on the first person's record
    notes: tuple[str, ...] = field(default=())


INCIDENTS: dict[str, tuple[SchoolSpec, tuple[Demo, ...]]] = {
    "oakridge": (OAKRIDGE, (
        Demo("teacher2", 12, "Used a proxy site in the ICT suite to reach a blocked game site "
             "during the lesson; the filtering log showed repeated attempts.", "staff",
             pupils=(9,), url="https://proxy.example", handler="esafety", category="conduct",
             incident_type="proxy-sites",
             take=(("headteacher", "Discussed with Mrs Whitmore the same afternoon."),
                   ("remove_access", "Internet access removed for two weeks."))),
        Demo("teacher1", 5, "Unkind messages about a classmate posted in a group chat outside "
             "school; shown to the teacher by another pupil.", "pupil", pupils=(11, 10),
             category="conduct", incident_type="social-media", cyber_bullying=True,
             notes=("Both pupils spoken to; screenshots kept.",)),
        Demo("esafety", 3, "Saw an offensive pop-up on a games site at home-time club and did "
             "not tell an adult; a friend reported it the next day.", "pupil", pupils=(7,),
             url="https://games.example", category="content",
             incident_type="failing-to-report-offensive", assign=False),
        Demo("head", 2, "A parent complained that a member of staff posted about the class on "
             "personal social media.", "complaint", staff=("teacher2",), handler="head",
             category="conduct", incident_type="personal-use"),
    )),
    "glenfield": (GLENFIELD, (
        Demo("teacher1", 9, "A parent reported their child being excluded and mocked in an "
             "online game's chat by classmates.", "parent", pupils=(10,), category="conduct",
             incident_type="cyber-bullying", cyber_bullying=True,
             take=(("behaviour_policy", "Behaviour policy followed; restorative meeting."),)),
        Demo("ictlead", 4, "Clicked a link in a 'free game coins' message on a school laptop; "
             "the browser asked for a parent's card details.", "staff", pupils=(5,),
             url="https://coins.example", handler="dsl", category="commerce",
             incident_type="commerce"),
        Demo("dsl", 1, "Pupil disclosed that an online 'friend' who says he is 11 asked for "
             "photos and to keep it secret.", "pupil", pupils=(8,), category="contact",
             incident_type="harmful-contact", child_protection=True),
    )),
}


async def load_demo(rpc: RpcClient) -> None:
    today = datetime.now(UTC).replace(hour=10, minute=30, second=0, microsecond=0)
    for school_id, (spec, demos) in INCIDENTS.items():
        page = await rpc.call("incident", "IncidentLog", {"school_id": school_id, "limit": 200},
                              CALLER)
        if any(i["reporter"] != "system" for i in page["items"]):
            log.info("incident demo for %s is loaded already", school_id)
            continue
        for demo in demos:
            await _incident(rpc, spec, demo, today - timedelta(days=demo.days_ago))


async def _incident(rpc: RpcClient, spec: SchoolSpec, demo: Demo, at: datetime) -> None:
    school = spec.school_id
    pupils = [f"{school}-p{i + 1:02d}" for i in demo.pupils]
    staff = [f"{school}-{h}" for h in demo.staff]
    involved = ([{"kind": "pupil", "person_id": p} for p in pupils]
                + [{"kind": "staff", "person_id": s} for s in staff])

    async def call(who: str, name: str, **body: Any) -> Any:
        return await rpc.call("incident", name, {"school_id": school, **body},
                              _claims(spec, who))

    # The incident service learns people and types from events: retry until it has them.
    done = await _settled(lambda: call(
        demo.reporter, "ReportIncident", occurred_at=at.isoformat(), url=demo.url,
        description=demo.description, came_to_light=demo.came_to_light, involved=involved))
    iid = done["incident_id"]
    await _settled(lambda: call(demo.handler, "ClassifyIncident", incident_id=iid,
                                category=demo.category, incident_type=demo.incident_type,
                                cyber_bullying=demo.cyber_bullying,
                                child_protection=demo.child_protection))
    if demo.assign:
        await call(demo.handler, "AssignIncident", incident_id=iid,
                   assignee=f"{school}-{demo.handler}")
    for text in demo.notes:
        await call(demo.handler, "AddIncidentNote", incident_id=iid, text=text)
    if demo.take:
        await _take(rpc, school, iid, (pupils + staff)[0], demo)
        await call(demo.handler, "ChangeIncidentStatus", incident_id=iid,
                   status="action_taken", reason="actions taken from the sanctions matrix")


async def _take(rpc: RpcClient, school: str, iid: str, person: str, demo: Demo) -> None:
    await _until(lambda: rpc.call("sanction", "Recommendations",
                                  {"school_id": school, "incident_id": iid}, CALLER), bool)
    until = date.today() + timedelta(days=14)
    for action, notes in demo.take:
        await rpc.call("sanction", "TakeAction", {
            "school_id": school, "incident_id": iid, "person_id": person, "action": action,
            "notes": notes, "until": str(until) if action == "remove_access" else None},
            _claims_by_id(school, demo.handler))


def _claims(spec: SchoolSpec, handle: str) -> Claims:
    [member] = [m for m in spec.members if m.handle == handle]
    return Claims(subject=f"{spec.school_id}-{handle}", name=f"{member.given} {member.family}",
                  school_id=spec.school_id, la_id=LA_ID, roles=frozenset(member.roles))


def _claims_by_id(school: str, handle: str) -> Claims:
    return _claims(INCIDENTS[school][0], handle)


async def _settled(attempt: Callable[[], Awaitable[T]]) -> T:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_SECONDS
    while True:
        try:
            return await attempt()
        except InvalidInput:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.2)


async def _until(probe: Callable[[], Awaitable[T]], ok: Callable[[T], bool]) -> T:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_SECONDS
    while not ok(found := await probe()):
        if loop.time() > deadline:
            raise RuntimeError("the sanction service has not recommended in time")
        await asyncio.sleep(0.2)
    return found
