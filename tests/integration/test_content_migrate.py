"""The one-off rewrite of stored events whose text travelled inline (shared/content_migrate.py),
on SQLite and PostgreSQL: given v1 events in a store (and their outbox messages), the text
moves into the erasable content, filed where the retention purge finds it, and the events and
messages become the current version carrying only the ref; text a purge removed before stays
gone; a second run does nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import insert, select

from services.capture.domain.capture import Purge, capture
from services.capture.domain.events import (
    AlertAcknowledged,
    AlertRaised,
    CaptureContentPurged,
    CaptureModerated,
    CaptureReceived,
    ConcernEscalated,
)
from services.incident.domain.events import IncidentClosed, IncidentReferred, RecordTransferSent
from shared import content
from shared.content_migrate import migrate, pending
from shared.db import Database
from shared.events import Envelope
from shared.eventstore import EventStore
from shared.registry import registry
from shared.streams import event_subject
from shared.tables import events, kit_metadata, outbox

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
SCHOOL, LA, CID, AID = "oakridge", "la-north", "c" * 32, "a" * 32
SECRETS = ("SECRET-EXCERPT", "SECRET-TRIGGER", "SECRET-NOTES", "SECRET-ACK", "SECRET-DESC",
           "SECRET-REFERRAL", "SECRET-OUTCOME", "SECRET-TRANSFER-NOTE")
PURGED = "SECRET-ALREADY-PURGED"


def received(cid: str, excerpt: str) -> dict[str, Any]:
    return {"capture_id": cid, "school_id": SCHOOL, "la_id": LA, "product": "SafeWatch",
            "product_capture_id": cid, "captured_at": T0.isoformat(), "machine": "PC-1",
            "username": "amy", "trigger": "SECRET-TRIGGER", "excerpt": excerpt}


def v1(aggregate: tuple[str, str], version: int, type_name: str, payload: dict[str, Any],
       schema_version: int = 1) -> Envelope:
    return Envelope(event_id=uuid4(), type=type_name, schema_version=schema_version,
                    school_id=SCHOOL, aggregate_type=aggregate[0], aggregate_id=aggregate[1],
                    aggregate_version=version, occurred_at=T0 + timedelta(minutes=version),
                    correlation_id=uuid4(), payload=payload)


STORED = [
    v1(("capture", CID), 1, "CaptureReceived", received(CID, "SECRET-EXCERPT")),
    v1(("capture", CID), 2, "CaptureModerated", {"capture_id": CID, "grade": "concern",
                                                 "notes": "SECRET-NOTES", "moderator": "m1"}),
    v1(("capture", CID), 3, "ConcernEscalated", {
        "capture_id": CID, "grade": "concern", "category": "suicide", "severity": 5,
        "urgent": False, "notes": "SECRET-NOTES"}),
    v1(("alert", AID), 1, "AlertRaised", {
        "alert_id": AID, "capture_id": CID, "school_id": SCHOOL, "la_id": LA,
        "grade": "concern", "category": "suicide", "severity": 5, "urgent": False,
        "notes": "SECRET-NOTES", "roles": ["dsl"], "recipients": []}),
    v1(("alert", AID), 2, "AlertAcknowledged", {
        "alert_id": AID, "by": "dsl", "by_name": "Dee", "note": "SECRET-ACK",
        "at": T0.isoformat()}),
    # Retention purged this capture's text before the rewrite: it must not come back.
    v1(("capture", "c2"), 1, "CaptureReceived", received("c2", PURGED)),
    v1(("capture", "c2"), 2, "CaptureContentPurged", {
        "capture_id": "c2", "refs": [], "fields": ["excerpt", "trigger"],
        "removed_on": "2027-03-02", "reason": "capture_text retention"}),
    v1(("incident", "inc-1"), 1, "IncidentReported", {
        "incident_id": "inc-1", "school_id": SCHOOL, "occurred_at": T0.isoformat(),
        "description": "SECRET-DESC", "came_to_light": "staff", "reporter": "t1"}),
    v1(("incident", "inc-1"), 2, "IncidentReferred", {
        "incident_id": "inc-1", "agency": "police", "reference": "CAD 1",
        "notes": "SECRET-REFERRAL", "by": "dsl"}),
    v1(("incident", "inc-1"), 3, "IncidentClosed", {
        "incident_id": "inc-1", "outcome": "SECRET-OUTCOME", "by": "dsl"}),
    v1(("incident-transfer", "oakridge.p1"), 1, "RecordTransferSent", {
        "transfer_id": "oakridge.p1", "school_id": SCHOOL, "to_school_id": "glenfield",
        "person_id": "p1", "pupil_name": "Amy", "note": "SECRET-TRANSFER-NOTE",
        "incident_ids": ["inc-1"], "sole_ids": ["inc-1"], "content_ref": "ref-sent",
        "due_on": "2026-03-09", "by": "dsl"}),
]


async def stored(db: Database) -> None:
    """The events as an old version of the services wrote them, with their outbox messages
    (and the transfer's summaries, which were already kept outside the event)."""
    async with db.begin() as conn:
        await conn.execute(insert(events), [{
            "event_id": e.event_id, "aggregate_type": e.aggregate_type,
            "aggregate_id": e.aggregate_id, "version": e.aggregate_version, "type": e.type,
            "schema_version": e.schema_version, "school_id": e.school_id,
            "occurred_at": e.occurred_at, "correlation_id": e.correlation_id,
            "causation_id": None, "payload": e.payload, "trace": {}} for e in STORED])
        await conn.execute(insert(outbox), [{
            "event_id": e.event_id, "subject": event_subject("capture", e),
            "data": e.model_dump_json().encode(), "headers": {}} for e in STORED])
        await content.keep_in(conn, [content.Erasable(
            "ref-sent", SCHOOL, "incident-transfer", "oakridge.p1", {"inc-1": "a summary"})])


async def anywhere(db: Database, text: str, kept_too: bool = True) -> bool:
    """In any event's payload or outbox message, or (`kept_too`) in the erasable content."""
    async with db.read() as conn:
        payloads = [str(p) for p in (await conn.execute(select(events.c.payload))).scalars()]
        messages = [bytes(m).decode() for m in (await conn.execute(select(outbox.c.data)))
                    .scalars()]
        kept = list((await conn.execute(select(content.content.c.text))).scalars()) \
            if kept_too else []
    return any(text in s for s in (*payloads, *messages, *kept))


class TestMoveInlineText:
    async def test_text_moves_out_of_the_events_once(self, db_url: str) -> None:
        db = Database(db_url)
        await db.create_all(kit_metadata)
        await db.create_all(content.content_metadata)
        await stored(db)
        seen: list[tuple[int, int, int]] = []
        report = await migrate(db, registry, batch=2,
                               progress=lambda *p: seen.append(p))
        # Five streams, two per transaction; every old event rewritten, one's text dropped.
        assert seen == [(2, 5, seen[0][2]), (4, 5, seen[1][2]), (5, 5, 10)]
        assert (report.streams, report.events, report.moved) == (5, 10, 9)

        store = EventStore(db, "capture")
        loaded = {(e.aggregate_type, e.aggregate_id, e.aggregate_version): e
                  for a in (("capture", CID), ("capture", "c2"), ("alert", AID),
                            ("incident", "inc-1"), ("incident-transfer", "oakridge.p1"))
                  for e in await store.load(*a)}
        assert all(e.schema_version == registry.model(e.type).schema_version
                   for e in loaded.values())
        for secret in SECRETS:  # out of every event and message, into the content
            assert not await anywhere(db, secret, kept_too=False)
            assert await anywhere(db, secret)
        assert not await anywhere(db, PURGED)

        decoded = {k: registry.decode(e) for k, e in loaded.items()}
        got = decoded[("capture", CID, 1)]
        assert isinstance(got, CaptureReceived) and got.content_ref
        async with db.read() as conn:
            texts = await content.texts_in(conn, [getattr(ev, "content_ref", None)
                                                  for ev in decoded.values()])
            filed = {r.ref: (r.aggregate_type, r.aggregate_id) for r in await conn.execute(
                select(content.content))}
        assert texts[got.content_ref] == {"excerpt": "SECRET-EXCERPT",
                                          "trigger": "SECRET-TRIGGER"}
        grade = decoded[("capture", CID, 2)]
        escalated = decoded[("capture", CID, 3)]
        raised = decoded[("alert", AID, 1)]
        acked = decoded[("alert", AID, 2)]
        assert isinstance(grade, CaptureModerated) and isinstance(escalated, ConcernEscalated)
        assert isinstance(raised, AlertRaised) and isinstance(acked, AlertAcknowledged)
        notes = [grade.content_ref, escalated.content_ref, raised.content_ref]
        assert [texts[r or ""] for r in notes] == [{"notes": "SECRET-NOTES"}] * 3
        assert texts[acked.content_ref or ""] == {"note": "SECRET-ACK"}
        # Filed with the capture, where the purge of its notes finds every one of them.
        assert {filed[r or ""] for r in [*notes, acked.content_ref]} == {("capture", CID)}
        purge = Purge(SCHOOL, LA, False, False, T0.date(), "capture_metadata retention",
                      notes=True, filed_notes=tuple(r or "" for r in [*notes,
                                                                      acked.content_ref]))
        [erased] = capture.decide(purge, capture.fold([decoded[("capture", CID, v)]
                                                       for v in (1, 2, 3)]))
        assert isinstance(erased, CaptureContentPurged)
        assert set(erased.refs) == {*notes, acked.content_ref}
        assert decoded[("capture", "c2", 1)].content_ref is None  # type: ignore[attr-defined]

        referred, closed = decoded[("incident", "inc-1", 2)], decoded[("incident", "inc-1", 3)]
        assert isinstance(referred, IncidentReferred) and isinstance(closed, IncidentClosed)
        assert texts[referred.content_ref or ""] == {"notes": "SECRET-REFERRAL"}
        assert texts[closed.content_ref or ""] == {"outcome": "SECRET-OUTCOME"}
        sent = decoded[("incident-transfer", "oakridge.p1", 1)]
        assert isinstance(sent, RecordTransferSent) and sent.content_ref == "ref-sent"
        assert texts["ref-sent"] == {"inc-1": "a summary", "note": "SECRET-TRANSFER-NOTE"}

        # Idempotent: nothing is left, a second run changes nothing.
        assert await pending(db) == []
        again = await migrate(db, registry)
        assert (again.streams, again.events) == (0, 0)
        await db.dispose()
