"""Record transfers between two schools of the LA: GraphQL types (from the incident service's
contract views)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from services.incident.contracts import RecordTransferView, TransferRef


@strawberry.type(description="An incident of the sending school, as sent (other pupils' "
                             "names redacted).")
class TransferredIncident:
    incident_id: str
    summary: str


@strawberry.type(description="A leaver's safeguarding record sent to the LA school they "
                             "join; both schools keep it.")
class RecordTransfer:
    transfer_id: str
    school_id: str = strawberry.field(description="the sending school")
    to_school_id: str
    person_id: str = strawberry.field(description="the pupil's id at the sending school")
    pupil_name: str
    note: str
    sent_at: datetime
    sent_by: str
    sent_by_name: str
    due_on: date = strawberry.field(description="5 school days after sending (DfE)")
    overdue: bool
    joiner_id: str | None = strawberry.field(
        description="the pupil's id at the receiving school, once receipt is confirmed")
    received_at: datetime | None
    received_by: str | None
    received_by_name: str | None
    incidents: list[TransferredIncident]
    text_removed_on: date | None = strawberry.field(
        default=None, description="retention removed the summaries and the note on this day")

    @classmethod
    def of(cls, data: Any) -> RecordTransfer:
        view = RecordTransferView.model_validate(data)
        return cls(**view.model_dump(exclude={"incidents"}),
                   incidents=[TransferredIncident(**i.model_dump()) for i in view.incidents])


@strawberry.type
class RecordTransferRef:
    transfer_id: str
    due_on: date | None
    incidents: int = strawberry.field(description="how many incidents were sent")

    @classmethod
    def of(cls, data: Any) -> RecordTransferRef:
        return cls(**TransferRef.model_validate(data).model_dump())
