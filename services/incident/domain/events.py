"""Incident events (facts, past tense). Type names are stable: they are stored forever."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.content import Erasure, inline_text
from shared.events import Event
from shared.registry import registry


class RiskCategory(StrEnum):
    """Glenfield's "4 key categories of risk"."""

    CONTENT = "content"
    CONTACT = "contact"
    CONDUCT = "conduct"
    COMMERCE = "commerce"


class Source(StrEnum):
    """How the incident came to light."""

    CAPTURE = "capture"
    STAFF = "staff"
    PUPIL = "pupil"
    PARENT = "parent"
    COMPLAINT = "complaint"


class InvolvedKind(StrEnum):
    PUPIL = "pupil"
    STAFF = "staff"
    VISITOR = "visitor"
    EXTERNAL = "external"


class Status(StrEnum):
    REPORTED = "reported"
    UNDER_REVIEW = "under_review"
    ACTION_TAKEN = "action_taken"
    REFERRED = "referred"
    CLOSED = "closed"


class Agency(StrEnum):
    POLICE = "police"
    LA = "la"
    CHILDRENS_SERVICES = "childrens_services"
    LADO = "lado"  # allegations against staff


class EntryKind(StrEnum):
    NOTE = "note"
    DECISION = "decision"
    ACTION = "action"


class Involved(BaseModel):
    """Someone involved: a directory person id where known, a name (free text) otherwise."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: InvolvedKind
    person_id: str | None = None
    name: str = ""


@registry.retire
class IncidentReportedV1(Event):
    """Version 1: the description travelled inline; loaded as v2 with none."""

    type_name = "IncidentReported"
    incident_id: str
    school_id: str
    occurred_at: datetime
    url: str | None = None
    description: str
    came_to_light: Source
    involved: list[Involved] = []
    reporter: str
    reporter_name: str = ""
    capture_id: str | None = None


@registry.register
class IncidentReported(Event):
    """The description is free text about children: it is kept in the incident service's
    erasable content under `content_ref` (shared/content.py), never in the event."""

    type_name = "IncidentReported"
    schema_version = 2
    incident_id: str
    school_id: str
    occurred_at: datetime
    url: str | None = None
    content_ref: str | None
    came_to_light: Source
    involved: list[Involved] = []
    reporter: str
    reporter_name: str = ""
    capture_id: str | None = None


@registry.register
class IncidentClassified(Event):
    type_name = "IncidentClassified"
    incident_id: str
    category: RiskCategory | None
    incident_type: str | None
    cyber_bullying: bool
    child_protection: bool
    by: str


@registry.register
class InvolvedAdded(Event):
    type_name = "InvolvedAdded"
    incident_id: str
    involved: list[Involved]
    by: str


@registry.register
class IncidentAssigned(Event):
    type_name = "IncidentAssigned"
    incident_id: str
    assignee: str
    by: str


@registry.retire
class IncidentNoteAddedV1(Event):
    """Version 1: the note's text travelled inline; loaded as v2 with none."""

    type_name = "IncidentNoteAdded"
    incident_id: str
    kind: EntryKind
    text: str
    by: str


@registry.register
class IncidentNoteAdded(Event):
    """The note's text is kept in the erasable content under `content_ref`."""

    type_name = "IncidentNoteAdded"
    schema_version = 2
    incident_id: str
    kind: EntryKind
    content_ref: str | None
    by: str


def _text_out(field: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """v1 -> v2: the inline text is not carried forward (a rebuilt read model shows none)."""
    def upcast(payload: dict[str, Any]) -> dict[str, Any]:
        return {**{k: v for k, v in payload.items() if k != field}, "content_ref": None}

    return upcast


registry.upcaster(IncidentReported.type_name, 1)(_text_out("description"))
registry.upcaster(IncidentNoteAdded.type_name, 1)(_text_out("text"))


@registry.register
class IncidentStatusChanged(Event):
    type_name = "IncidentStatusChanged"
    incident_id: str
    status: Status
    previous: Status
    reason: str
    by: str


@registry.retire
class IncidentReferredV1(Event):
    """Version 1: the referral notes travelled inline; loaded as v2 with none."""

    type_name = "IncidentReferred"
    incident_id: str
    agency: Agency
    reference: str
    notes: str
    by: str


@registry.register
class IncidentReferred(Event):
    """The referral notes are kept in the erasable content under `content_ref` (field
    "notes"): they go with the incident's other text. The agency and its reference stay."""

    type_name = "IncidentReferred"
    schema_version = 2
    incident_id: str
    agency: Agency
    reference: str
    content_ref: str | None
    by: str


@registry.retire
class IncidentClosedV1(Event):
    """Version 1: the outcome travelled inline; loaded as v2 with none."""

    type_name = "IncidentClosed"
    incident_id: str
    outcome: str
    by: str


@registry.register
class IncidentClosed(Event):
    """The outcome is kept in the erasable content under `content_ref` (field "outcome")."""

    type_name = "IncidentClosed"
    schema_version = 2
    incident_id: str
    content_ref: str | None
    by: str


registry.upcaster(IncidentReferred.type_name, 1)(_text_out("notes"))
registry.upcaster(IncidentClosed.type_name, 1)(_text_out("outcome"))
# What the stored v1 events held inline, for the one-off rewrite (shared/content_migrate.py):
# an incident purge erases the description and every note, whatever its fields say.
for _name, _key in ((IncidentReported.type_name, "description"),
                    (IncidentNoteAdded.type_name, "text"),
                    (IncidentReferred.type_name, "notes"),
                    (IncidentClosed.type_name, "outcome")):
    inline_text(_name, 1, {_key: _key}, {"description"})


@registry.register
class TermlyReviewRecorded(Event):
    """Oakridge §5: the log is reviewed termly (the e-safety co-ordinator, DSL or head)."""

    type_name = "TermlyReviewRecorded"
    school_id: str
    term: str
    reviewer: str
    reviewer_name: str = ""
    findings: str


@registry.register
class IncidentContentPurged(Erasure):
    """Retention removed the incident's free text (its description and notes)."""

    type_name = "IncidentContentPurged"
    incident_id: str


class _TransferSent(Event):
    """What every version of RecordTransferSent holds (not an event type of its own)."""

    transfer_id: str
    school_id: str  # the sending school
    to_school_id: str
    person_id: str  # the pupil's id at the sending school (ids are per school)
    pupil_name: str
    incident_ids: list[str]  # the sending school's incidents involving the pupil
    sole_ids: list[str]  # of those, the ones involving no other pupil: marked on receipt
    content_ref: str | None
    due_on: date
    by: str
    by_name: str = ""


@registry.retire
class RecordTransferSentV1(_TransferSent):
    """Version 1: the sender's note travelled inline; loaded as v2 without it."""

    type_name = "RecordTransferSent"
    note: str


@registry.register
class RecordTransferSent(_TransferSent):
    """A leaver's safeguarding record sent to the school they join (DfE: within 5 school
    days). The sent summaries and the sender's note are free text about children: they are
    kept in the erasable content under `content_ref` (incident id -> summary, and
    `TRANSFER_NOTE` -> the note), never in the event."""

    type_name = "RecordTransferSent"
    schema_version = 2


TRANSFER_NOTE = "note"  # the sender's note among a transfer's kept text (the rest: incident ids)


@registry.upcaster(RecordTransferSent.type_name, 1)
def _transfer_sent_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """The summaries were already kept under `content_ref`; only the note is not carried."""
    return {k: v for k, v in payload.items() if k != "note"}


# The note joins the summaries already kept under the v1 event's `content_ref`.
inline_text(RecordTransferSent.type_name, 1, {"note": TRANSFER_NOTE}, {TRANSFER_NOTE})


@registry.register
class RecordTransferReceived(Event):
    type_name = "RecordTransferReceived"
    transfer_id: str
    school_id: str  # the sending school
    to_school_id: str
    joiner_id: str  # the pupil's new id at the receiving school
    transferred_ids: list[str]  # the sending school's incidents now marked transferred
    by: str
    by_name: str = ""


@registry.register
class RecordTransferPurged(Erasure):
    """Retention removed what a transfer carried (the summaries and the note), for both
    schools: once every incident it summarises has had its text removed at the sending
    school (a copy never outlives its original), or, carrying none, after the sending
    school's `incident_text` period."""

    type_name = "RecordTransferPurged"
    transfer_id: str
