"""A leaver's safeguarding record transferred to the school of the LA they join (issue 10).

The sending school's DSL, deputy or head sends it; the receiving school's confirms receipt,
naming the joiner's id there (person ids are per school). The service gathers the facts the
decision needs (is the pupil a leaver here, is the other school of the same LA, which
incidents go) and the decider judges them. One transfer per pupil and sending school.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from services.incident.domain.commands import ConfirmRecordTransfer, StartRecordTransfer
from services.incident.domain.events import (
    TRANSFER_NOTE,
    RecordTransferPurged,
    RecordTransferReceived,
    RecordTransferSent,
)
from shared.decider import Decider
from shared.errors import AlreadyExists, InvalidInput, NotFound
from shared.events import Event

SCHOOL_DAYS = 5  # DfE, Keeping children safe in education: within 5 school days


def transfer_id(school_id: str, person_id: str) -> str:
    return f"{school_id}.{person_id}"


def due_on(sent_on: date, days: int = SCHOOL_DAYS) -> date:
    """`days` school days after `sent_on`, counting Monday to Friday (term dates and bank
    holidays are not known to the platform: the due date is the earliest it can be)."""
    day = sent_on
    while days:
        day += timedelta(days=1)
        days -= day.weekday() < 5
    return day


@dataclass(frozen=True)
class Transfer:
    exists: bool = False
    school_id: str = ""
    to_school_id: str = ""
    sole_ids: tuple[str, ...] = ()
    received: bool = False
    content_ref: str | None = None  # the summaries and the note
    text_removed_on: date | None = None
    person_id: str = ""


@dataclass(frozen=True)
class Pupil:
    """The pupil as the sending school's directory knows them."""

    name: str
    left: bool


@dataclass(frozen=True)
class Send:
    command: StartRecordTransfer
    by: str
    by_name: str
    pupil: Pupil | None  # None: no such pupil at the sending school
    same_la: bool  # the receiving school is a school of the sender's LA
    incident_ids: tuple[str, ...]
    sole_ids: tuple[str, ...]
    content_ref: str | None
    sent_on: date


@dataclass(frozen=True)
class Receive:
    command: ConfirmRecordTransfer
    by: str
    by_name: str
    joiner_here: bool  # the named person is a pupil of the receiving school


@dataclass(frozen=True)
class PurgeTransfer:
    """Retention (the sending school's): remove the summaries and the note it carried."""

    school_id: str
    on: date
    reason: str


TransferCommand = Send | Receive | PurgeTransfer


def decide(command: TransferCommand, state: Transfer) -> list[Event]:
    match command:
        case PurgeTransfer(school_id=school, on=on, reason=reason):
            if not state.exists or state.school_id != school:
                raise NotFound("no such transfer from this school", field="transfer_id")
            if state.content_ref is None or state.text_removed_on is not None:
                return []
            return [RecordTransferPurged(
                transfer_id=transfer_id(state.school_id, state.person_id),
                refs=[state.content_ref], fields=["summaries", TRANSFER_NOTE], removed_on=on,
                reason=reason)]
        case Send(command=cmd, pupil=pupil):
            if state.exists:
                raise AlreadyExists("this pupil's record has already been sent",
                                    field="person_id")
            if pupil is None:
                raise NotFound(f"no pupil {cmd.person_id} at this school", field="person_id")
            if not pupil.left:
                raise InvalidInput("only a leaver's record is transferred: record that the "
                                   "pupil left first", field="person_id")
            if cmd.to_school_id == cmd.school_id or not command.same_la:
                raise InvalidInput("the receiving school must be another school of the "
                                   "local authority", field="to_school_id")
            return [RecordTransferSent(
                transfer_id=transfer_id(cmd.school_id, cmd.person_id), school_id=cmd.school_id,
                to_school_id=cmd.to_school_id, person_id=cmd.person_id, pupil_name=pupil.name,
                incident_ids=list(command.incident_ids),
                sole_ids=list(command.sole_ids), content_ref=command.content_ref,
                due_on=due_on(command.sent_on), by=command.by, by_name=command.by_name)]
        case Receive(command=cmd):
            # Another school's transfer is "not found": never confirm another tenant's ids.
            if not state.exists or state.to_school_id != cmd.school_id:
                raise NotFound(f"no transfer {cmd.transfer_id} to this school",
                               field="transfer_id")
            if state.received:
                raise AlreadyExists("receipt is already confirmed", field="transfer_id")
            if not command.joiner_here:
                raise InvalidInput(f"no pupil {cmd.person_id} at this school",
                                   field="person_id")
            return [RecordTransferReceived(
                transfer_id=cmd.transfer_id, school_id=state.school_id,
                to_school_id=cmd.school_id, joiner_id=cmd.person_id,
                transferred_ids=list(state.sole_ids), by=command.by, by_name=command.by_name)]
        case _:
            raise AssertionError(f"unhandled command {command!r}")


def evolve(state: Transfer, event: Event) -> Transfer:
    match event:
        case RecordTransferSent():
            return Transfer(exists=True, school_id=event.school_id,
                            to_school_id=event.to_school_id, sole_ids=tuple(event.sole_ids),
                            content_ref=event.content_ref, person_id=event.person_id)
        case RecordTransferReceived():
            return replace(state, received=True)
        case RecordTransferPurged(removed_on=on):
            return replace(state, text_removed_on=on)
        case _:
            return state


record_transfer = Decider[TransferCommand, Transfer]("incident-transfer", Transfer(), decide,
                                                     evolve)
