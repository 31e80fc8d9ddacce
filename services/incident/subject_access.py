"""The incident service's part of the audit trail and of a subject access request."""

from __future__ import annotations

from services.incident import queries, transfer_views
from services.incident.contracts import (
    GetIncident,
    IncidentLog,
    IncidentView,
    RecordTransfers,
    RecordTransferView,
)
from shared import subject_access
from shared.audit import RecordKind, record_view
from shared.claims import Claims
from shared.db import Database
from shared.events import Clock
from shared.rpc import RpcRouter
from shared.service import Kit
from shared.subject_access import Item, SubjectAccess

PAGE = 200


async def audit_detail(kit: Kit, view: IncidentView, caller: Claims) -> None:
    """A child-protection incident's detail and chronology is a sensitive read."""
    if view.child_protection:
        await record_view(kit.store, view.school_id, caller, RecordKind.INCIDENT,
                          view.incident_id, [p.person_id or "" for p in view.involved],
                          "GetIncident")


async def involving(db: Database, school_id: str, person_id: str,
                    caller: Claims) -> list[IncidentView]:
    """Every incident the person is involved in that the caller may see, whole."""
    views: list[IncidentView] = []
    offset, total = 0, 1
    while offset < total:
        page = await queries.log(db, IncidentLog(school_id=school_id, person_id=person_id,
                                                 offset=offset, limit=PAGE), caller)
        for found in page.items:
            views.append(await queries.one(db, GetIncident(school_id=school_id,
                                                           incident_id=found.incident_id),
                                           caller))
        offset, total = offset + PAGE, page.total
    return views


def summary(view: IncidentView) -> str:
    """One line for an incident in a bundle or a record transfer."""
    what = view.incident_type or (view.category.value if view.category else "incident")
    return f"{what} ({view.status.value}): {view.description}"


def transfer_summary(view: RecordTransferView, school_id: str) -> str:
    """One line for a record transfer in a bundle, from this school's side."""
    way = f"sent to {view.to_school_id}" if view.school_id == school_id \
        else f"received from {view.school_id}"
    what = f"{len(view.incidents)} incidents" + (
        f" (their summaries removed under retention on {view.text_removed_on.isoformat()})"
        if view.text_removed_on else "")
    return f"safeguarding record {way} on {view.sent_at:%d %b %Y}: {what}"


def serve(rpc: RpcRouter, kit: Kit, clock: Clock) -> None:
    async def collect(q: SubjectAccess, caller: Claims) -> list[Item]:
        """Every incident the person is involved in that the requester may see, whole; and
        their record transfers: as the leaver from here, or as the joiner here (what the
        sending school sent about them)."""
        found = [Item(kind="incident", id=one.incident_id, at=one.occurred_at,
                      summary=summary(one), data=one.model_dump(mode="json"))
                 for one in await involving(kit.db, q.school_id, q.person_id, caller)]
        sent = await transfer_views.listed(
            kit.db, RecordTransfers(school_id=q.school_id, person_id=q.person_id),
            clock().date())
        return found + [Item(kind="record_transfer", id=t.transfer_id, at=t.sent_at,
                             summary=transfer_summary(t, q.school_id),
                             data=t.model_dump(mode="json")) for t in sent]

    subject_access.serve(rpc, collect)
