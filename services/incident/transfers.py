"""Record transfer RPCs: a leaver's safeguarding record to the LA school they join.

What is sent: the sending school's incidents involving the pupil that the sender may see, one
summary each (type, status, description), with other pupils' names and ids redacted. The
summaries are kept as erasable content of the transfer, never in its events.

What the sending school keeps after receipt ("only what it must"): its incidents involving
only that pupil stay in its log, marked transferred, because the school remains accountable
for what it did; their description and notes are then readable by the DSL, deputy DSL and
headteacher only (and the LA admin). Incidents involving other pupils too stay as they were.
Listing transfers that carry summaries is audited as a read of the pupil's history.

Retention: the summaries and the note are the transfer's erasable content, one copy that both
schools read; the incident purge removes it (`RecordTransferPurged`) once every incident it
summarises has had its text removed at the sending school, so a copy never outlives its
original (a child-protection incident's: until the pupil is 25). The joiner's subject access
export at the receiving school, and the leaver's at the sending school, include it.
"""

from __future__ import annotations

from services.incident import subject_access, transfer_views
from services.incident.contracts import RecordTransfers, RecordTransferView, TransferRef
from services.incident.domain.access import LEADS
from services.incident.domain.commands import ConfirmRecordTransfer, StartRecordTransfer
from services.incident.domain.events import TRANSFER_NOTE, InvolvedKind
from services.incident.domain.transfer import Pupil, Receive, Send, record_transfer, transfer_id
from shared.audit import RecordKind, record_view
from shared.claims import SAFEGUARDING_ROLES, Claims
from shared.content import Erasable, new_ref
from shared.events import Clock, Metadata
from shared.redact import Redactor
from shared.rpc import RpcRouter
from shared.service import Kit


def serve(rpc: RpcRouter, kit: Kit, clock: Clock) -> None:
    @rpc.handler("StartRecordTransfer")
    async def start(cmd: StartRecordTransfer, caller: Claims) -> TransferRef:
        caller.require_school_role(cmd.school_id, SAFEGUARDING_ROLES)
        found = await transfer_views.pupil(kit.db, cmd.school_id, cmd.person_id)
        pupil = Pupil(name=f"{found.given_name} {found.family_name}",
                      left=found.left_on is not None) if found else None
        la = await transfer_views.la_of(kit.db, cmd.school_id)
        same_la = la is not None and la == await transfer_views.la_of(kit.db, cmd.to_school_id)
        views = await subject_access.involving(kit.db, cmd.school_id, cmd.person_id, caller) \
            if found else []
        redact = Redactor(await transfer_views.other_pupils(kit.db, cmd.school_id,
                                                            cmd.person_id))
        sent = {v.incident_id: redact.text(f"{v.occurred_at:%d %b %Y}: "
                                           f"{subject_access.summary(v)}") for v in views}
        sole = tuple(v.incident_id for v in views if not any(
            p.kind is InvolvedKind.PUPIL and p.person_id != cmd.person_id for p in v.involved))
        tid = transfer_id(cmd.school_id, cmd.person_id)
        text = {**sent, TRANSFER_NOTE: cmd.note.strip()}
        kept = Erasable(new_ref(), cmd.school_id, record_transfer.aggregate_type, tid, text) \
            if any(text.values()) else None
        done = await kit.bus.execute(
            record_transfer, tid,
            Send(cmd, caller.subject, caller.name, pupil, same_la, tuple(sent), sole,
                 kept.ref if kept else None, clock().date()),
            Metadata(school_id=cmd.school_id), keep=[kept] if kept else [])
        [env] = done.envelopes
        return TransferRef(transfer_id=tid, due_on=env.payload["due_on"], incidents=len(sent))

    @rpc.handler("ConfirmRecordTransfer")
    async def confirm(cmd: ConfirmRecordTransfer, caller: Claims) -> TransferRef:
        caller.require_school_role(cmd.school_id, SAFEGUARDING_ROLES)
        joiner = await transfer_views.pupil(kit.db, cmd.school_id, cmd.person_id)
        await kit.bus.execute(record_transfer, cmd.transfer_id,
                              Receive(cmd, caller.subject, caller.name,
                                      joiner is not None and joiner.left_on is None),
                              Metadata(school_id=cmd.school_id))
        return TransferRef(transfer_id=cmd.transfer_id)

    @rpc.handler("RecordTransfers")
    async def listed(q: RecordTransfers, caller: Claims) -> list[RecordTransferView]:
        """The school's sent and incoming transfers: its safeguarding leads and the LA."""
        caller.require_role(q.school_id, LEADS)
        found = await transfer_views.listed(kit.db, q, clock().date())
        for t in found:  # a pupil's safeguarding history: a sensitive read
            if t.incidents:
                await record_view(kit.store, q.school_id, caller, RecordKind.PERSON_HISTORY,
                                  t.transfer_id, [t.person_id, *filter(None, [t.joiner_id])],
                                  "RecordTransfers")
        return found


