"""Demo compliance records: Oakridge keeps its DfE filtering and monitoring record up to date
(its policy names Emma Perkin as e-safety co-ordinator and Mrs K Lincoln as e-safety
governor); Glenfield's policy is past its review date and its annual review is missing, so the
LA's view has something to chase. A school with a policy already is left alone.

Then each school's training register (Glenfield: one teacher never inducted, one refresher
lapsed; Oakridge: the e-safety co-ordinator's refresher due within the month), a week of
filtering-log summaries (Netsweeper at Glenfield, the LA's Smoothwall at Oakridge), and the
reminders these make due. The LA keeps screenshots 3 months, capture text a year, moderated
captures' records 6 years and incident text 7 years, and lets schools shorten the screenshots'
period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.compliance.contracts import SERVICE
from services.directory.demo import CALLER, LA_ID, _until
from shared.claims import Claims, Role, Scope
from shared.events import now
from shared.rpc import RpcClient


async def load_demo(rpc: RpcClient) -> None:
    today = now().date()

    async def call(name: str, **body: Any) -> Any:
        return await rpc.call(SERVICE, name, body, CALLER)

    def dated(body: dict[str, Any]) -> dict[str, Any]:
        return {k: str(today + timedelta(days=v)) if k.endswith(DATES) else v
                for k, v in body.items()}

    if not (await call("GetRetention", school_id="oakridge"))["periods"]:
        await call("SetRetentionPolicy", months=RETENTION, school_may_set=["screenshot"])
    for school, records in (("oakridge", _oakridge), ("glenfield", _glenfield)):
        if (await call("GetStandards", school_id=school))["policy"] is not None:
            continue  # loaded on an earlier run
        for name, body in records:
            await call(name, school_id=school, **dated(body))
    await load_duties(rpc)


async def load_duties(rpc: RpcClient) -> None:
    for school, rows in (("oakridge", _oakridge_training), ("glenfield", _glenfield_training)):
        await _register(rpc, school, rows)
    for school, product, per_day in (("glenfield", "Netsweeper", 1), ("oakridge", "Smoothwall",
                                                                       7)):
        await rpc.call(SERVICE, "IngestFilteringSummaries", {
            "school_id": school, "summaries": _summaries(product, per_day)}, _filter(school))
    await rpc.call(SERVICE, "SendReminders", {}, CALLER)


async def _register(rpc: RpcClient, school: str, rows: list[tuple[str, str, int, str, str]]
                    ) -> None:
    """The school's training register as a CSV, once the service knows the school's staff."""
    async def staff() -> dict[str, Any]:
        found = await rpc.call(SERVICE, "TrainingStatus", {"school_id": school}, CALLER)
        return {s["person_id"]: s for s in found}

    wanted = {f"{school}-{who}" for who, *_ in rows}
    await _until(staff, lambda got: wanted <= set(got), f"{school}'s staff in compliance")
    today = now().date()
    register = "person_id,kind,completed_on,provider,evidence\n" + "".join(
        f"{school}-{who},{kind},{today + timedelta(days=days)},{provider},{evidence}\n"
        for who, kind, days, provider, evidence in rows)
    await rpc.call(SERVICE, "ImportTraining", {"school_id": school, "csv": register}, CALLER)

    async def records() -> dict[str, Any]:  # shown before reminders are worked out from them
        return {"n": len(await rpc.call(SERVICE, "ListTraining", {"school_id": school}, CALLER))}

    await _until(records, lambda got: got["n"] >= len(rows), f"{school}'s training records")


def _filter(school_id: str) -> Claims:
    """The demo's stand-in for the filtering product's API key."""
    return Claims(subject=f"demo-filter-{school_id}", name="Filtering (demo)",
                  school_id=school_id, la_id=LA_ID, roles=frozenset({Role.INTEGRATOR}),
                  scopes=frozenset({Scope.FILTERING_WRITE}))


def _summaries(product: str, days: int) -> list[dict[str, Any]]:
    """The last week as `days`-day summaries; volumes vary by day so the reports show it."""
    end = now().replace(hour=0, minute=0, second=0, microsecond=0)
    out = []
    for i in range(0, 7, days):
        stop = end - timedelta(days=i)
        out.append({
            "product": product, "product_summary_id": f"{product.lower()}-{stop:%Y%m%d}-{days}d",
            "period_start": (stop - timedelta(days=days)).isoformat(),
            "period_end": stop.isoformat(),
            "categories": [{"category": c, "blocked": (b * days + i) % 97, "allowed": a * days}
                           for c, b, a in _CATEGORIES],
            "users": [{"username": "y6pupil3", "category": "Games", "blocked": 4 + i,
                       "allowed": 0}] if i % 3 == 0 else []})
    return out


# category, blocked a day, allowed a day
_CATEGORIES = [("Pornography", 6, 0), ("Gambling", 2, 0), ("Social Networking", 31, 140),
               ("Games", 18, 260), ("Proxies and VPNs", 3, 0), ("Education", 0, 5200)]

# handle, kind, completed (days from today), provider, evidence
_oakridge_training: list[tuple[str, str, int, str, str]] = [
    ("head", "induction", -900, "Northshire LA", "certificate on file"),
    ("head", "refresher", -120, "Northshire LA", "certificate on file"),
    ("esafety", "induction", -700, "Northshire LA", "certificate on file"),
    ("esafety", "refresher", -345, "National Online Safety", "certificate on file"),
    ("dsl", "induction", -1200, "Northshire LA", "certificate on file"),
    ("dsl", "refresher", -60, "Northshire LA DSL update", "certificate on file"),
    ("deputydsl", "induction", -400, "Northshire LA", "signed register"),
    ("deputydsl", "refresher", -30, "Northshire LA", "signed register"),
    ("technician", "induction", -200, "Oakridge in-house", "signed register"),
    ("teacher1", "induction", -500, "Oakridge in-house", "signed register"),
    ("teacher1", "refresher", -90, "Oakridge INSET day", "signed register"),
    ("teacher2", "induction", -50, "Oakridge in-house", "signed register"),
    ("admin", "induction", -300, "Oakridge in-house", "signed register"),
]
_glenfield_training: list[tuple[str, str, int, str, str]] = [
    ("head", "induction", -800, "Northshire LA", "certificate on file"),
    ("head", "refresher", -200, "Northshire LA", "certificate on file"),
    ("dsl", "induction", -600, "Northshire LA", "certificate on file"),
    ("dsl", "refresher", -100, "Northshire LA DSL update", "certificate on file"),
    ("deputydsl", "induction", -500, "Northshire LA", "signed register"),
    ("deputydsl", "refresher", -150, "Glenfield INSET day", "signed register"),
    ("ictlead", "induction", -300, "Glenfield in-house", "signed register"),
    ("teacher1", "induction", -800, "Glenfield in-house", "signed register"),
    ("teacher1", "refresher", -420, "Glenfield INSET day", "signed register"),  # lapsed
    ("admin", "induction", -250, "Glenfield in-house", "signed register"),
    # teacher2 (Ben Carver): no induction recorded
]


RETENTION = {"screenshot": 3, "capture_text": 12, "capture_metadata": 72, "incident_text": 84}
# Date fields are given as days from today.
DATES = ("_on", "_from", "_review", "_due")

_oakridge: list[tuple[str, dict[str, Any]]] = [
    ("AssignResponsibility", {"responsibility": "senior_leader", "holder": "Helen Whitmore",
                              "person_id": "oakridge-head"}),
    ("AssignResponsibility", {"responsibility": "governor", "holder": "Kathryn Lincoln",
                              "person_id": "oakridge-governor"}),
    ("AssignResponsibility", {"responsibility": "dsl", "holder": "Daniel Fisher",
                              "person_id": "oakridge-dsl"}),
    ("AssignResponsibility", {"responsibility": "it_provider",
                              "holder": "Northshire Schools ICT Service"}),
    ("PublishPolicyVersion", {"title": "Oakridge Primary School E-Safety Policy",
                              "effective_from": -80, "next_review": 285,
                              "named_roles": {"e-safety co-ordinator": "Emma Perkin",
                                              "e-safety governor": "Mrs K Lincoln"}}),
    ("RecordProvisionReview", {"reviewed_on": -70,
                               "participants": ["Helen Whitmore", "Kathryn Lincoln",
                                                "Daniel Fisher", "Gary Holt"],
                               "findings": "Filtering blocks the IWF list and the categories "
                                           "agreed with the LA; monitoring alerts reach the DSL "
                                           "within minutes; staff know how to report.",
                               "actions": "Add the new Year 6 laptops to the filter."}),
    ("RecordProvisionCheck", {"checked_on": -40, "result": "partly",
                              "what_tested": "SWGfL test filtering page on the Year 6 laptops",
                              "actions": "Two laptops re-enrolled in the filter; retested."}),
    ("RecordProvisionCheck", {"checked_on": -10, "result": "passed",
                              "what_tested": "Monitoring capture of a test phrase in the ICT "
                                             "suite reached the LA queue",
                              "actions": "none"}),
]

_glenfield: list[tuple[str, dict[str, Any]]] = [
    ("AssignResponsibility", {"responsibility": "dsl", "holder": "Claire Donovan",
                              "person_id": "glenfield-dsl"}),
    ("AssignResponsibility", {"responsibility": "it_provider", "holder": "Netsweeper (via the "
                                                                         "LA)"}),
    ("PublishPolicyVersion", {"title": "Glenfield Primary School Online Safety Policy",
                              "effective_from": -420, "next_review": -55,
                              "named_roles": {"online safety lead": "Claire Donovan"}}),
    ("RecordProvisionCheck", {"checked_on": -25, "result": "passed",
                              "what_tested": "Netsweeper blocks the test categories in the "
                                             "library", "actions": "none"}),
]
