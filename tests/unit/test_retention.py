"""Retention: the LA's policy and schools' overrides, and a capture's purge (given events,
when a command, then events or an error); old captures' inline text is not carried forward."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from services.capture.domain.capture import Purge, capture, capture_id_of
from services.capture.domain.events import (
    CaptureContentPurged,
    CaptureModerated,
    CaptureReceived,
    CaptureRegraded,
    Grade,
)
from services.capture.queries import retention_note
from services.compliance.domain.events import (
    RecordType,
    RetentionOverrideSet,
    RetentionPolicySet,
)
from services.compliance.domain.retention import (
    RetentionCommand,
    SetOverride,
    SetPolicy,
    months_before,
    retention,
    years_after,
)
from services.incident.domain.events import (
    EntryKind,
    IncidentContentPurged,
    IncidentNoteAdded,
    IncidentReported,
    Source,
)
from services.incident.domain.incident import PurgeText, incident
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.events import Envelope, Event
from shared.registry import registry

LA, SCHOOL, ADMIN = "la-northshire", "oakridge", "la-admin"
MONTHS = {RecordType.SCREENSHOT: 3, RecordType.CAPTURE_TEXT: 12,
          RecordType.CAPTURE_METADATA: 72, RecordType.INCIDENT_TEXT: 84}
POLICY = SetPolicy(LA, MONTHS, frozenset({RecordType.SCREENSHOT}), ADMIN)
POLICY_SET = RetentionPolicySet(la_id=LA, months=MONTHS, school_may_set=[RecordType.SCREENSHOT],
                                by=ADMIN)


def when_policy(given: list[Event], command: RetentionCommand) -> list[Event]:
    return list(retention.decide(command, retention.fold(given)))


def override(record_type: RecordType, months: int | None) -> SetOverride:
    return SetOverride(LA, SCHOOL, record_type, months, "oak-head")


class TestPolicy:
    def test_the_la_sets_every_record_types_period(self) -> None:
        assert when_policy([], POLICY) == [POLICY_SET]

    def test_a_missing_type_or_a_period_out_of_range_is_refused(self) -> None:
        partial: dict[RecordType, int] = {t: m for t, m in MONTHS.items()
                                          if t is not RecordType.INCIDENT_TEXT}
        with pytest.raises(InvalidInput, match="incident_text"):
            when_policy([], SetPolicy(LA, partial, frozenset(), ADMIN))
        with pytest.raises(InvalidInput, match="1 to 1200 months, not 0"):
            when_policy([], SetPolicy(LA, {**MONTHS, RecordType.SCREENSHOT: 0}, frozenset(),
                                      ADMIN))

    def test_a_school_sets_only_what_the_la_allows(self) -> None:
        assert when_policy([POLICY_SET], override(RecordType.SCREENSHOT, 1)) == [
            RetentionOverrideSet(la_id=LA, school_id=SCHOOL, record_type=RecordType.SCREENSHOT,
                                 months=1, by="oak-head")]
        with pytest.raises(Forbidden, match="capture_text"):
            when_policy([POLICY_SET], override(RecordType.CAPTURE_TEXT, 1))

    def test_no_override_before_the_la_has_a_policy(self) -> None:
        with pytest.raises(InvalidInput, match="not set a retention policy"):
            when_policy([], override(RecordType.SCREENSHOT, 1))


class TestDates:
    @pytest.mark.parametrize(("day", "months", "expected"), [
        (date(2027, 3, 1), 3, date(2026, 12, 1)),
        (date(2027, 5, 31), 3, date(2027, 2, 28)),
        (date(2027, 1, 15), 12, date(2026, 1, 15)),
    ])
    def test_months_before(self, day: date, months: int, expected: date) -> None:
        assert months_before(day, months) == expected

    def test_the_25th_birthday_of_a_leap_day_child(self) -> None:
        assert years_after(date(2016, 2, 29), 25) == date(2041, 2, 28)


CID = capture_id_of(SCHOOL, "SafeWatch", "sw-1")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RECEIVED = CaptureReceived(capture_id=CID, school_id=SCHOOL, la_id=LA, product="SafeWatch",
                           product_capture_id="sw-1", captured_at=T0, machine="PC-01",
                           username="pupil1", content_ref="ref-1", screenshot_sha256="ab" * 32)
ON = date(2027, 3, 1)


def purge(text: bool, screenshot: bool, deleted: bool = True, school: str = SCHOOL) -> Purge:
    return Purge(school, LA, text, screenshot, ON, "retention", deleted)


def when_purged(given: list[Event], command: Purge) -> list[Event]:
    return list(capture.decide(command, capture.fold(given)))


class TestCapturePurge:
    def test_text_and_screenshot_go_with_what_was_removed(self) -> None:
        assert when_purged([RECEIVED], purge(True, True)) == [CaptureContentPurged(
            capture_id=CID, refs=["ref-1"], fields=["excerpt", "trigger", "screenshot"],
            removed_on=ON, reason="retention", screenshot_sha256="ab" * 32,
            object_deleted=True)]

    def test_the_screenshot_first_then_the_text_once(self) -> None:
        [shot] = when_purged([RECEIVED], purge(False, True, deleted=False))
        assert isinstance(shot, CaptureContentPurged)
        assert (shot.refs, shot.fields, shot.object_deleted) == ([], ["screenshot"], False)
        [text] = when_purged([RECEIVED, shot], purge(True, True))
        assert isinstance(text, CaptureContentPurged)
        assert (text.refs, text.fields, text.screenshot_sha256) == (
            ["ref-1"], ["excerpt", "trigger"], None)
        assert when_purged([RECEIVED, shot, text], purge(True, True)) == []

    def test_a_capture_without_text_or_image_has_nothing_to_purge(self) -> None:
        bare = RECEIVED.model_copy(update={"content_ref": None, "screenshot_sha256": None})
        assert when_purged([bare], purge(True, True)) == []

    def test_another_schools_capture_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            when_purged([RECEIVED], purge(True, True, school="glenfield"))


GRADED = CaptureModerated(capture_id=CID, grade=Grade.CONCERN, content_ref="ref-grade",
                          moderator="m1")
REGRADED = CaptureRegraded(capture_id=CID, grade=Grade.VIOLATION, previous=Grade.CONCERN,
                           content_ref="ref-regrade", moderator="m2")


def notes_purge(filed_notes: tuple[str, ...] = ()) -> Purge:
    return Purge(SCHOOL, LA, False, False, ON, "capture_metadata retention", notes=True,
                 filed_notes=filed_notes)


class TestNotesPurge:
    """The grades' notes and reasons, and the alerts' acknowledgement notes, go under
    `capture_metadata`; the grade stays."""

    def test_every_grades_notes_and_the_filed_notes_go_once(self) -> None:
        given: list[Event] = [RECEIVED, GRADED, REGRADED]
        [purged] = when_purged(given, notes_purge(("ref-ack",)))
        assert purged == CaptureContentPurged(
            capture_id=CID, refs=["ref-grade", "ref-regrade", "ref-ack"], fields=["notes"],
            removed_on=ON, reason="capture_metadata retention")
        state = capture.fold([*given, purged])
        assert state.grade is Grade.VIOLATION and state.notes_removed_on == ON
        assert state.text_removed_on is None and state.content_ref == "ref-1"
        assert when_purged([*given, purged], notes_purge()) == []

    def test_notes_with_the_text_in_one_event(self) -> None:
        both = Purge(SCHOOL, LA, True, False, ON, "retention", notes=True)
        [purged] = when_purged([RECEIVED, GRADED], both)
        assert isinstance(purged, CaptureContentPurged)
        assert (purged.refs, purged.fields) == (["ref-1", "ref-grade"],
                                                ["excerpt", "trigger", "notes"])

    def test_a_grade_without_notes_has_none_to_purge(self) -> None:
        bare = GRADED.model_copy(update={"content_ref": None})
        assert when_purged([RECEIVED, bare], notes_purge()) == []

    def test_the_text_purge_leaves_the_notes(self) -> None:
        [text] = when_purged([RECEIVED, GRADED], purge(True, False))
        assert isinstance(text, CaptureContentPurged) and text.refs == ["ref-1"]
        assert capture.fold([RECEIVED, GRADED, text]).note_refs == ("ref-grade",)


def v1(type_name: str, aggregate: str, payload: dict[str, object]) -> Envelope:
    return Envelope(event_id=uuid4(), type=type_name, schema_version=1, school_id=SCHOOL,
                    aggregate_type=aggregate, aggregate_id=CID, aggregate_version=3,
                    occurred_at=T0, correlation_id=uuid4(), payload=payload)


class TestOldNotes:
    """Stored v1 moderation and alert events load without their inline notes."""

    @pytest.mark.parametrize(("type_name", "aggregate", "payload"), [
        ("CaptureModerated", "capture", {"capture_id": CID, "grade": "concern",
                                         "notes": "SECRET", "moderator": "m1"}),
        ("CaptureRegraded", "capture", {"capture_id": CID, "grade": "violation",
                                        "previous": "concern", "reason": "SECRET",
                                        "notes": "SECRET", "moderator": "m1"}),
        ("ConcernEscalated", "capture", {"capture_id": CID, "grade": "concern",
                                         "category": "suicide", "severity": 5, "urgent": False,
                                         "notes": "SECRET"}),
        ("AlertRaised", "alert", {"alert_id": "a" * 32, "capture_id": CID,
                                  "school_id": SCHOOL, "la_id": LA, "grade": "concern",
                                  "category": "suicide", "severity": 5, "urgent": False,
                                  "notes": "SECRET", "roles": ["dsl"], "recipients": []}),
        ("AlertAcknowledged", "alert", {"alert_id": "a" * 32, "by": "d", "by_name": "D",
                                        "note": "SECRET", "at": T0.isoformat()}),
    ])
    def test_loaded_as_v2_without_the_text(self, type_name: str, aggregate: str,
                                           payload: dict[str, object]) -> None:
        loaded = registry.decode(v1(type_name, aggregate, payload))
        assert loaded.type_name == type_name and loaded.schema_version == 2
        assert getattr(loaded, "content_ref") is None  # noqa: B009
        assert "SECRET" not in loaded.model_dump_json()


class TestOldEvents:
    def test_a_v1_capture_loads_without_its_inline_text(self) -> None:
        payload = {**RECEIVED.model_dump(mode="json", exclude={"content_ref"}),
                   "trigger": "kill myself", "excerpt": "i want to kill myself"}
        env = Envelope(event_id=uuid4(), type="CaptureReceived", schema_version=1,
                       school_id=SCHOOL, aggregate_type="capture", aggregate_id=CID,
                       aggregate_version=1, occurred_at=T0, correlation_id=uuid4(),
                       payload=payload)
        loaded = registry.decode(env)
        assert isinstance(loaded, CaptureReceived) and loaded.content_ref is None
        assert "kill myself" not in loaded.model_dump_json()


class TestRetentionNote:
    def test_says_what_was_removed_and_when(self) -> None:
        assert retention_note(None, None) is None
        assert retention_note(None, None, ON) == ("moderation notes removed under retention on "
                                                  "2027-03-01")
        assert retention_note(ON, ON) == "text and screenshot removed under retention on " \
                                         "2027-03-01"
        assert retention_note(ON, date(2026, 12, 1)) == (
            "screenshot removed under retention on 2026-12-01; "
            "text removed under retention on 2027-03-01")


class TestIncidentPurge:
    REPORTED = IncidentReported(incident_id="inc-1", school_id=SCHOOL, occurred_at=T0,
                                content_ref="ref-report", came_to_light=Source.STAFF,
                                reporter="teacher")
    NOTE = IncidentNoteAdded(incident_id="inc-1", kind=EntryKind.NOTE, content_ref="ref-note",
                             by="dsl")

    def when(self, given: list[Event], school: str = SCHOOL) -> list[Event]:
        return list(incident.decide(PurgeText(school, "inc-1", ON, "retention"),
                                    incident.fold(given)))

    def test_the_description_and_every_note_go_once(self) -> None:
        purged = IncidentContentPurged(incident_id="inc-1", refs=["ref-report", "ref-note"],
                                       fields=["description", "notes"], removed_on=ON,
                                       reason="retention")
        assert self.when([self.REPORTED, self.NOTE]) == [purged]
        assert self.when([self.REPORTED, self.NOTE, purged]) == []
        assert incident.fold([self.REPORTED, self.NOTE, purged]).entries == 2

    def test_another_schools_incident_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            self.when([self.REPORTED], school="glenfield")
