"""Demo compliance records: Oakridge keeps its DfE filtering and monitoring record up to date
(its policy names Emma Perkin as e-safety co-ordinator and Mrs K Lincoln as e-safety
governor); Glenfield's policy is past its review date and its annual review is missing, so the
LA's view has something to chase. A school with a policy already is left alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.compliance.contracts import SERVICE
from services.directory.demo import CALLER
from shared.events import now
from shared.rpc import RpcClient


async def load_demo(rpc: RpcClient) -> None:
    today = now().date()

    async def call(name: str, **body: Any) -> Any:
        return await rpc.call(SERVICE, name, body, CALLER)

    def dated(body: dict[str, Any]) -> dict[str, Any]:
        return {k: str(today + timedelta(days=v)) if k.endswith(DATES) else v
                for k, v in body.items()}

    for school, records in (("oakridge", _oakridge), ("glenfield", _glenfield)):
        if (await call("GetStandards", school_id=school))["policy"] is not None:
            continue  # loaded on an earlier run
        for name, body in records:
            await call(name, school_id=school, **dated(body))


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
