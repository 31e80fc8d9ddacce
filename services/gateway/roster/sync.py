"""Sends a roster to the directory in requests small enough for NATS (~1 MB a message).

Rows are reordered so that each MIS id's rows share a request (the directory rejects
duplicates within one) and parents come after the pupils they name. A full sync's leavers are
decided by one last request naming every MIS id the whole roster had.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from services.directory.contracts import SERVICE
from services.directory.integrations.contracts import (
    RowRejection,
    SyncMode,
    SyncReport,
    SyncRoster,
)
from shared.errors import InvalidInput

CHUNK = 1000
Call = Callable[[str, str, dict[str, Any]], Awaitable[Any]]


@dataclass
class Roster:
    school_id: str
    mode: SyncMode
    people: list[dict[str, Any]]
    labels: list[str]
    classes: list[dict[str, Any]] | None = None
    rejected: list[RowRejection] = field(default_factory=list)


async def sync(call: Call, roster: Roster) -> SyncReport:
    groups: dict[str, list[int]] = {}
    for i, row in enumerate(roster.people):
        groups.setdefault(str(row.get("mis_id")), []).append(i)
    order = sorted(groups.values(), key=lambda rows: _is_parent(roster.people[rows[0]]))
    report = SyncReport(mode=roster.mode, rejected=list(roster.rejected))
    chunk: list[int] = []
    for rows in order:
        chunk += rows
        if len(chunk) >= CHUNK:
            _merge(report, await _send(call, roster, chunk))
            chunk = []
    if chunk or not roster.people:
        _merge(report, await _send(call, roster, chunk))
    if roster.mode is SyncMode.FULL:
        _merge(report, await _send(call, roster, [], present=list(groups)))
    return report


async def _send(call: Call, roster: Roster, rows: list[int],
                present: list[str] | None = None) -> SyncReport:
    last = present is not None
    try:
        req = SyncRoster(
            school_id=roster.school_id, mode=SyncMode.FULL if last else SyncMode.DELTA,
            people=[roster.people[i] for i in rows], labels=[roster.labels[i] for i in rows],
            classes=roster.classes, present=present or [],
            rejected=roster.rejected if last else [])
    except ValidationError as exc:  # e.g. a class's year group out of range: the caller's fault
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InvalidInput(f"{where}: {err['msg']}", field=where or None) from None
    # The pre-rejected rows travel with the last request only: there they keep their people
    # from leaving, and the report already holds them.
    found = SyncReport.model_validate(await call(SERVICE, "SyncRoster",
                                                 req.model_dump(mode="json", exclude_none=True)))
    if last:
        found.rejected = found.rejected[len(roster.rejected):]
    return found


def _merge(into: SyncReport, part: SyncReport) -> None:
    into.created += part.created
    into.updated += part.updated
    into.unchanged += part.unchanged
    into.left += part.left
    into.rejected += part.rejected
    into.classes_recorded += part.classes_recorded
    into.classes_closed += part.classes_closed


def _is_parent(row: dict[str, Any]) -> bool:
    return row.get("kind") == "parent"
