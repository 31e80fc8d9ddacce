"""The record transfer decider: given events, when a command, then events (or an error)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.incident.domain.commands import ConfirmRecordTransfer, StartRecordTransfer
from services.incident.domain.events import (
    RecordTransferPurged,
    RecordTransferReceived,
    RecordTransferSent,
)
from services.incident.domain.transfer import (
    Pupil,
    PurgeTransfer,
    Receive,
    Send,
    TransferCommand,
    due_on,
    record_transfer,
    transfer_id,
)
from shared.errors import AlreadyExists, InvalidInput, NotFound
from shared.events import Event

A, B, TID = "oakridge", "glenfield", transfer_id("oakridge", "p1")
SEND = Send(StartRecordTransfer(school_id=A, person_id="p1", to_school_id=B, note="see CP"),
            by="dsl-a", by_name="Dee", pupil=Pupil(name="Sam Pupil", left=True), same_la=True,
            incident_ids=("inc-1", "inc-2"), sole_ids=("inc-1",), content_ref="ref-1",
            sent_on=date(2026, 11, 20))  # a Friday
SENT = RecordTransferSent(transfer_id=TID, school_id=A, to_school_id=B, person_id="p1",
                          pupil_name="Sam Pupil", incident_ids=["inc-1", "inc-2"],
                          sole_ids=["inc-1"], content_ref="ref-1", due_on=date(2026, 11, 27),
                          by="dsl-a", by_name="Dee")
RECEIVE = Receive(ConfirmRecordTransfer(school_id=B, transfer_id=TID, person_id="j9"),
                  by="dsl-b", by_name="Bea", joiner_here=True)
RECEIVED = RecordTransferReceived(transfer_id=TID, school_id=A, to_school_id=B, joiner_id="j9",
                                  transferred_ids=["inc-1"], by="dsl-b", by_name="Bea")


def when(given: list[Event], command: TransferCommand) -> list[Event]:
    return list(record_transfer.decide(command, record_transfer.fold(given)))


def test_a_leavers_record_is_sent_due_in_five_school_days() -> None:
    assert when([], SEND) == [SENT]


def test_the_due_date_skips_weekends() -> None:
    assert due_on(date(2026, 11, 23)) == date(2026, 11, 30)  # Monday -> next Monday
    assert due_on(date(2026, 11, 21)) == date(2026, 11, 27)  # Saturday -> Friday


def test_a_pupil_not_at_the_school_is_not_found() -> None:
    with pytest.raises(NotFound):
        when([], replace(SEND, pupil=None))


def test_a_pupil_who_has_not_left_is_refused() -> None:
    with pytest.raises(InvalidInput, match="leaver"):
        when([], replace(SEND, pupil=Pupil(name="Sam Pupil", left=False)))


@pytest.mark.parametrize("to, same_la", [(B, False), (A, True)])
def test_the_receiving_school_is_another_of_the_same_la(to: str, same_la: bool) -> None:
    cmd = SEND.command.model_copy(update={"to_school_id": to})
    with pytest.raises(InvalidInput, match="local authority"):
        when([], replace(SEND, command=cmd, same_la=same_la))


def test_a_record_is_sent_once() -> None:
    with pytest.raises(AlreadyExists):
        when([SENT], SEND)


def test_the_receiving_school_confirms_receipt_naming_the_joiner() -> None:
    assert when([SENT], RECEIVE) == [RECEIVED]


def test_confirming_twice_is_refused() -> None:
    with pytest.raises(AlreadyExists):
        when([SENT, RECEIVED], RECEIVE)


@pytest.mark.parametrize("school", [A, "elsewhere"])
def test_confirming_at_another_school_is_not_found(school: str) -> None:
    cmd = RECEIVE.command.model_copy(update={"school_id": school})
    with pytest.raises(NotFound):
        when([SENT], replace(RECEIVE, command=cmd))


def test_confirming_an_unsent_transfer_is_not_found() -> None:
    with pytest.raises(NotFound):
        when([], RECEIVE)


def test_the_joiner_must_be_a_pupil_of_the_receiving_school() -> None:
    with pytest.raises(InvalidInput, match="no pupil"):
        when([SENT], replace(RECEIVE, joiner_here=False))


def test_the_note_travels_with_the_summaries_as_a_ref() -> None:
    assert "see CP" not in str(when([], SEND))


PURGE = PurgeTransfer(A, date(2033, 1, 4), "every incident it summarises was purged")
PURGED = RecordTransferPurged(transfer_id=TID, refs=["ref-1"], fields=["summaries", "note"],
                              removed_on=date(2033, 1, 4),
                              reason="every incident it summarises was purged")


def test_retention_removes_the_summaries_and_note_once_for_both_schools() -> None:
    assert when([SENT, RECEIVED], PURGE) == [PURGED]
    assert when([SENT, RECEIVED, PURGED], PURGE) == []
    assert record_transfer.fold([SENT, RECEIVED, PURGED]).received  # the record stays


def test_a_transfer_carrying_no_text_has_nothing_to_purge() -> None:
    bare = SENT.model_copy(update={"content_ref": None})
    assert when([bare], PURGE) == []


@pytest.mark.parametrize("given", [[], [SENT]])
def test_only_the_sending_school_purges_its_transfer(given: list[Event]) -> None:
    with pytest.raises(NotFound):
        when(given, replace(PURGE, school_id=B))
