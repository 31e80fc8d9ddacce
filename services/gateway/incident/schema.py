"""Incident queries and mutations: each resolver is one RPC to the incident service."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from services.gateway.context import Info, signed_in
from services.gateway.directory.inputs import body
from services.gateway.incident.enums import Agency, EntryKind, Status
from services.gateway.incident.inputs import (
    ClassifyIncidentInput,
    IncidentFilter,
    InvolvedInput,
    ReportIncidentInput,
)
from services.gateway.incident.transfer import RecordTransfer, RecordTransferRef
from services.gateway.incident.types import Incident, IncidentPage, IncidentRef, TermlyReview
from services.incident.contracts import SERVICE


def _ref(done: dict[str, Any]) -> IncidentRef:
    return IncidentRef(incident_id=done["incident_id"], status=Status(done["status"]))


@strawberry.type
class IncidentQuery:
    @strawberry.field(extensions=signed_in(),
                      description="The school's incident log, as far as the caller may see it.")
    async def incident_log(self, info: Info, school_id: str, where: IncidentFilter | None = None,
                           offset: int = 0, limit: int = 50) -> IncidentPage:
        query = body(where or IncidentFilter(), school_id=school_id, offset=offset, limit=limit)
        return IncidentPage.of(await info.context.call(SERVICE, "IncidentLog", query))

    @strawberry.field(extensions=signed_in(), description="One incident with its chronology.")
    async def incident(self, info: Info, school_id: str, incident_id: str) -> Incident:
        query = {"school_id": school_id, "incident_id": incident_id}
        return Incident.of(await info.context.call(SERVICE, "GetIncident", query))

    @strawberry.field(extensions=signed_in(), description="The incidents a person was involved in.")
    async def person_history(self, info: Info, school_id: str,
                                      person_id: str) -> IncidentPage:
        query = {"school_id": school_id, "person_id": person_id}
        return IncidentPage.of(await info.context.call(SERVICE, "PersonHistory", query))

    @strawberry.field(extensions=signed_in())
    async def termly_reviews(self, info: Info, school_id: str) -> list[TermlyReview]:
        found = await info.context.call(SERVICE, "ListTermlyReviews", {"school_id": school_id})
        return [TermlyReview.of(r) for r in found]

    @strawberry.field(extensions=signed_in(),
                      description="The record transfers the school sent and those sent to it "
                                  "(its DSL, deputy DSL, headteacher; the LA admin).")
    async def record_transfers(self, info: Info, school_id: str,
                               person_id: str | None = None) -> list[RecordTransfer]:
        query = {"school_id": school_id, "person_id": person_id}
        found = await info.context.call(SERVICE, "RecordTransfers", query)
        return [RecordTransfer.of(t) for t in found]


@strawberry.type
class IncidentMutation:
    @strawberry.mutation(extensions=signed_in())
    async def report_incident(self, info: Info, input: ReportIncidentInput) -> IncidentRef:
        return _ref(await info.context.call(SERVICE, "ReportIncident", body(input)))

    @strawberry.mutation(extensions=signed_in())
    async def classify_incident(self, info: Info, input: ClassifyIncidentInput) -> IncidentRef:
        return _ref(await info.context.call(SERVICE, "ClassifyIncident", body(input)))

    @strawberry.mutation(extensions=signed_in(), description="Name more people involved (e.g. "
                                                             "the pupil behind a capture).")
    async def add_incident_involved(self, info: Info, school_id: str, incident_id: str,
                                    involved: list[InvolvedInput]) -> IncidentRef:
        cmd = {"school_id": school_id, "incident_id": incident_id,
               "involved": [dataclasses.asdict(p) for p in involved]}
        return _ref(await info.context.call(SERVICE, "AddInvolved", cmd))

    @strawberry.mutation(extensions=signed_in(), description="Puts a reported incident under "
                                                             "review.")
    async def assign_incident(self, info: Info, school_id: str, incident_id: str,
                              assignee: str) -> IncidentRef:
        cmd = {"school_id": school_id, "incident_id": incident_id, "assignee": assignee}
        return _ref(await info.context.call(SERVICE, "AssignIncident", cmd))

    @strawberry.mutation(extensions=signed_in())
    async def add_incident_note(self, info: Info, school_id: str, incident_id: str, text: str,
                                kind: EntryKind = EntryKind.NOTE) -> IncidentRef:
        cmd = {"school_id": school_id, "incident_id": incident_id, "text": text, "kind": kind}
        return _ref(await info.context.call(SERVICE, "AddIncidentNote", cmd))

    @strawberry.mutation(extensions=signed_in(),
                         description="Under review or action taken (refer and close have their "
                                     "own mutations).")
    async def change_incident_status(self, info: Info, school_id: str, incident_id: str,
                                     status: Status, reason: str = "") -> IncidentRef:
        cmd = {"school_id": school_id, "incident_id": incident_id, "status": status,
               "reason": reason}
        return _ref(await info.context.call(SERVICE, "ChangeIncidentStatus", cmd))

    @strawberry.mutation(extensions=signed_in())
    async def refer_incident(self, info: Info, school_id: str, incident_id: str, agency: Agency,
                             reference: str = "", notes: str = "") -> IncidentRef:
        cmd = {"school_id": school_id, "incident_id": incident_id, "agency": agency,
               "reference": reference, "notes": notes}
        return _ref(await info.context.call(SERVICE, "ReferIncident", cmd))

    @strawberry.mutation(extensions=signed_in())
    async def close_incident(self, info: Info, school_id: str, incident_id: str,
                             outcome: str) -> IncidentRef:
        cmd = {"school_id": school_id, "incident_id": incident_id, "outcome": outcome}
        return _ref(await info.context.call(SERVICE, "CloseIncident", cmd))

    @strawberry.mutation(extensions=signed_in())
    async def record_termly_review(self, info: Info, school_id: str, term: str,
                                   findings: str) -> TermlyReview:
        cmd = {"school_id": school_id, "term": term, "findings": findings}
        return TermlyReview.of(await info.context.call(SERVICE, "RecordTermlyReview", cmd))

    @strawberry.mutation(extensions=signed_in(),
                         description="Send a leaver's safeguarding record to the LA school "
                                     "they join (the sending school's safeguarding leads).")
    async def start_record_transfer(self, info: Info, school_id: str, person_id: str,
                                    to_school_id: str, note: str = "") -> RecordTransferRef:
        cmd = {"school_id": school_id, "person_id": person_id, "to_school_id": to_school_id,
               "note": note}
        return RecordTransferRef.of(
            await info.context.call(SERVICE, "StartRecordTransfer", cmd))

    @strawberry.mutation(extensions=signed_in(),
                         description="Confirm receipt of a record transfer, naming the joiner "
                                     "here (the receiving school's safeguarding leads).")
    async def confirm_record_transfer(self, info: Info, school_id: str, transfer_id: str,
                                      person_id: str) -> RecordTransferRef:
        cmd = {"school_id": school_id, "transfer_id": transfer_id, "person_id": person_id}
        return RecordTransferRef.of(
            await info.context.call(SERVICE, "ConfirmRecordTransfer", cmd))
