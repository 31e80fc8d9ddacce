"""The audit trail of sensitive reads, written once for every service.

A service that lets someone read a screenshot, a child-protection incident or a person's whole
history appends a `RecordViewed` to its own event store before the data leaves (a read that
cannot be recorded does not happen). Every view is its own one-event stream, so two people
reading the same record at once never race. The compliance service consumes every service's
`RecordViewed` into one append-only trail (`services/compliance/audit_trail.py`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

from sqlalchemy import Connection, Table, event

from shared.claims import Claims
from shared.events import Event, Metadata
from shared.eventstore import EventStore, NewEvents
from shared.registry import registry

AGGREGATE = "record-view"


class RecordKind(StrEnum):
    SCREENSHOT = "screenshot"
    INCIDENT = "incident"  # a child-protection incident's detail and chronology
    PERSON_HISTORY = "person_history"  # one person's history in one service
    SUBJECT_ACCESS = "subject_access"  # a subject access export (everything about a person)


@registry.register
class RecordViewed(Event):
    """Who read which sensitive record, about whom, when (the envelope) and from where."""

    type_name = "RecordViewed"
    kind: RecordKind
    record_id: str
    subjects: list[str]  # the person ids whose data was read
    action: str  # the operation, e.g. "GetIncident" or "export pdf"
    viewer: str
    viewer_name: str
    viewer_school: str
    roles: list[str]
    ip: str = ""
    user_agent: str = ""


def viewed(caller: Claims, kind: RecordKind, record_id: str, subjects: list[str],
           action: str) -> RecordViewed:
    origin = caller.origin
    return RecordViewed(kind=kind, record_id=record_id,
                        subjects=sorted({s for s in subjects if s}), action=action,
                        viewer=caller.subject, viewer_name=caller.name,
                        viewer_school=caller.school_id,
                        roles=sorted(r.value for r in caller.roles),
                        ip=origin.ip if origin else "",
                        user_agent=origin.user_agent[:300] if origin else "")


async def record_view(store: EventStore, school_id: str, caller: Claims, kind: RecordKind,
                      record_id: str, subjects: list[str], action: str,
                      at: datetime | None = None, view_id: str | None = None) -> str:
    """Append the view to the service's own store (published like any of its events);
    returns its id (the stream's: `AGGREGATE`-<id>)."""
    view_id = view_id or uuid4().hex
    await store.append(NewEvents(AGGREGATE, view_id, 0,
                                 [viewed(caller, kind, record_id, subjects, action)],
                                 Metadata(school_id=school_id, occurred_at=at)))
    return view_id


def append_only_statements(table: str, dialect: str) -> list[str]:
    """Triggers refusing UPDATE and DELETE on `table`: rows can only be added (a rebuild
    drops and refills the whole table from the events, which stay the source of truth)."""
    if dialect == "postgresql":
        return [f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$",
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"]
    if dialect == "sqlite":
        return [f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                for verb in ("update", "delete")]
    return []


def append_only(table: Table) -> Table:
    """Attach the append-only triggers to `table` whenever it is created (create_all,
    rebuild); migrations call `append_only_statements` themselves."""
    def create(_: Table, connection: Connection, **__: Any) -> None:
        for statement in append_only_statements(table.name, connection.dialect.name):
            connection.exec_driver_sql(statement)

    event.listen(table, "after_create", create)
    return table
