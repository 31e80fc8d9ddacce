"""The incident decider: given events, when a command, then events (or an error)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from services.incident.domain.commands import (
    AddIncidentNote,
    AddInvolved,
    AssignIncident,
    ChangeIncidentStatus,
    ClassifyIncident,
    CloseIncident,
    ReferIncident,
    ReportIncident,
)
from services.incident.domain.events import (
    Agency,
    EntryKind,
    IncidentAssigned,
    IncidentClassified,
    IncidentClosed,
    IncidentContentPurged,
    IncidentNoteAdded,
    IncidentReferred,
    IncidentReported,
    IncidentStatusChanged,
    Involved,
    InvolvedAdded,
    InvolvedKind,
    RiskCategory,
    Source,
    Status,
)
from services.incident.domain.incident import (
    Acting,
    Action,
    IncidentCommand,
    OpenFromCapture,
    PurgeText,
    incident,
)
from shared.errors import AlreadyExists, InvalidInput, NotFound
from shared.events import Envelope, Event
from shared.registry import registry

SCHOOL, IID, AT = "oakridge", "inc-1", datetime(2026, 10, 5, 10, 30, tzinfo=UTC)
REPORTED = IncidentReported(incident_id=IID, school_id=SCHOOL, occurred_at=AT,
                            url="https://example.test", content_ref="ref-report",
                            came_to_light=Source.PUPIL, reporter="teacher",
                            involved=[Involved(kind=InvolvedKind.PUPIL, person_id="p1")])
ABOUT_STAFF = REPORTED.model_copy(update={
    "involved": [Involved(kind=InvolvedKind.STAFF, person_id="s1")]})
ASSIGNED = [IncidentAssigned(incident_id=IID, assignee="dsl", by="head"),
            IncidentStatusChanged(incident_id=IID, status=Status.UNDER_REVIEW,
                                  previous=Status.REPORTED, reason="assigned to dsl", by="head")]
ACTION = IncidentStatusChanged(incident_id=IID, status=Status.ACTION_TAKEN,
                               previous=Status.UNDER_REVIEW, reason="", by="dsl")
CLOSED = IncidentClosed(incident_id=IID, content_ref="ref-outcome", by="dsl")


def when(given: list[Event], command: IncidentCommand) -> list[Event]:
    return list(incident.decide(command, incident.fold(given)))


def by(cmd: Action, who: str = "dsl", ref: str | None = None) -> Acting:
    return Acting(cmd, who, incident_id=IID, content_ref=ref)


def status(to: Status) -> Acting:
    return by(ChangeIncidentStatus(school_id=SCHOOL, incident_id=IID, status=to))


class TestReport:
    def test_a_report_records_the_reporter_and_what_happened(self) -> None:
        cmd = ReportIncident(school_id=SCHOOL, occurred_at=AT, url="https://example.test",
                             description="unkind messages", came_to_light=Source.PUPIL,
                             involved=[Involved(kind=InvolvedKind.PUPIL, person_id="p1")])
        assert when([], by(cmd, "teacher", "ref-report")) == [REPORTED]

    def test_the_same_id_cannot_be_reported_twice(self) -> None:
        cmd = ReportIncident(school_id=SCHOOL, occurred_at=AT, description="x",
                             came_to_light=Source.STAFF)
        with pytest.raises(AlreadyExists):
            when([REPORTED], by(cmd))

    def test_another_schools_incident_is_not_found(self) -> None:
        with pytest.raises(NotFound):
            when([REPORTED], by(AddIncidentNote(school_id="glenfield", incident_id=IID,
                                                text="hello")))

    def test_a_staff_member_involved_makes_it_about_staff_and_a_complaint_head_only(
            self) -> None:
        assert incident.fold([ABOUT_STAFF]).about_staff
        assert not incident.fold([ABOUT_STAFF]).head_only
        complaint = ABOUT_STAFF.model_copy(update={"came_to_light": Source.COMPLAINT})
        assert incident.fold([complaint]).head_only


class TestClassify:
    def test_classification_sets_the_category_type_and_flags(self) -> None:
        cmd = ClassifyIncident(school_id=SCHOOL, incident_id=IID, category=RiskCategory.CONDUCT,
                               incident_type="cyber-bullying of a pupil", cyber_bullying=True)
        then = when([REPORTED], by(cmd))
        assert then == [IncidentClassified(
            incident_id=IID, category=RiskCategory.CONDUCT,
            incident_type="cyber-bullying of a pupil", cyber_bullying=True,
            child_protection=False, by="dsl")]
        state = incident.fold([REPORTED, *then])
        assert (state.category, state.cyber_bullying, state.child_protection) == (
            RiskCategory.CONDUCT, True, False)

    def test_classification_needs_a_category_or_a_type(self) -> None:
        with pytest.raises(InvalidInput):
            when([REPORTED], by(ClassifyIncident(school_id=SCHOOL, incident_id=IID)))

    def test_a_closed_incident_is_not_reclassified(self) -> None:
        with pytest.raises(InvalidInput):
            when([REPORTED, *ASSIGNED, ACTION, CLOSED], by(ClassifyIncident(
                school_id=SCHOOL, incident_id=IID, category=RiskCategory.CONTENT)))


class TestWorkflow:
    def test_assigning_puts_a_reported_incident_under_review(self) -> None:
        cmd = AssignIncident(school_id=SCHOOL, incident_id=IID, assignee="dsl")
        assert when([REPORTED], by(cmd, "head")) == ASSIGNED

    def test_reassigning_keeps_the_status(self) -> None:
        cmd = AssignIncident(school_id=SCHOOL, incident_id=IID, assignee="deputy")
        assert when([REPORTED, *ASSIGNED], by(cmd, "head")) == [
            IncidentAssigned(incident_id=IID, assignee="deputy", by="head")]

    def test_the_happy_path_ends_closed(self) -> None:
        given: list[Event] = [REPORTED, *ASSIGNED]
        given += when(given, status(Status.ACTION_TAKEN))
        given += when(given, by(CloseIncident(school_id=SCHOOL, incident_id=IID,
                                              outcome="parents informed")))
        assert incident.fold(given).status is Status.CLOSED

    @pytest.mark.parametrize(("given", "to"), [
        ([REPORTED], Status.ACTION_TAKEN),  # not reviewed yet
        ([REPORTED, *ASSIGNED, ACTION, CLOSED], Status.ACTION_TAKEN),  # closed is final
        ([REPORTED, *ASSIGNED, ACTION, CLOSED], Status.UNDER_REVIEW),
    ])
    def test_invalid_transitions_are_refused_clearly(self, given: list[Event],
                                                     to: Status) -> None:
        with pytest.raises(InvalidInput, match="cannot go from"):
            when(given, status(to))

    def test_under_review_needs_an_assignee(self) -> None:
        with pytest.raises(InvalidInput, match="assign"):
            when([REPORTED], status(Status.UNDER_REVIEW))

    @pytest.mark.parametrize("to", [Status.REFERRED, Status.CLOSED])
    def test_referral_and_closure_have_their_own_commands(self, to: Status) -> None:
        with pytest.raises(InvalidInput):
            when([REPORTED, *ASSIGNED], status(to))

    def test_a_reported_incident_cannot_be_closed_unreviewed(self) -> None:
        with pytest.raises(InvalidInput, match="reported to closed"):
            when([REPORTED], by(CloseIncident(school_id=SCHOOL, incident_id=IID, outcome="x")))


class TestReferral:
    def test_referral_names_the_agency_and_may_repeat(self) -> None:
        police = by(ReferIncident(school_id=SCHOOL, incident_id=IID, agency=Agency.POLICE,
                                  reference="CAD 123"))
        given: list[Event] = [REPORTED, *ASSIGNED, *when([REPORTED, *ASSIGNED], police)]
        assert given[-1] == IncidentReferred(incident_id=IID, agency=Agency.POLICE,
                                             reference="CAD 123", content_ref=None, by="dsl")
        given += when(given, by(ReferIncident(school_id=SCHOOL, incident_id=IID,
                                              agency=Agency.CHILDRENS_SERVICES)))
        state = incident.fold(given)
        assert state.status is Status.REFERRED
        assert state.referrals == (Agency.POLICE, Agency.CHILDRENS_SERVICES)

    def test_the_lado_is_for_allegations_against_staff(self) -> None:
        lado = by(ReferIncident(school_id=SCHOOL, incident_id=IID, agency=Agency.LADO))
        with pytest.raises(InvalidInput, match="LADO"):
            when([REPORTED, *ASSIGNED], lado)
        assert isinstance(when([ABOUT_STAFF, *ASSIGNED], lado)[0], IncidentReferred)

    def test_a_reported_incident_is_reviewed_before_referral(self) -> None:
        with pytest.raises(InvalidInput):
            when([REPORTED], by(ReferIncident(school_id=SCHOOL, incident_id=IID,
                                              agency=Agency.POLICE)))


class TestChronology:
    def test_notes_append_and_never_replace(self) -> None:
        first = by(AddIncidentNote(school_id=SCHOOL, incident_id=IID, text="spoke to pupil"),
                   ref="ref-n1")
        second = by(AddIncidentNote(school_id=SCHOOL, incident_id=IID, text="parents called",
                                    kind=EntryKind.ACTION), "head", "ref-n2")
        given: list[Event] = [REPORTED, *when([REPORTED], first)]
        given += when(given, second)
        assert given[1:] == [
            IncidentNoteAdded(incident_id=IID, kind=EntryKind.NOTE, content_ref="ref-n1",
                              by="dsl"),
            IncidentNoteAdded(incident_id=IID, kind=EntryKind.ACTION, content_ref="ref-n2",
                              by="head")]
        assert incident.fold(given).entries == 3

    def test_notes_may_follow_closure(self) -> None:
        note = by(AddIncidentNote(school_id=SCHOOL, incident_id=IID, text="late information"))
        assert len(when([REPORTED, *ASSIGNED, ACTION, CLOSED], note)) == 1


class TestFromCapture:
    def open(self, urgent: bool = False) -> OpenFromCapture:
        return OpenFromCapture(school_id=SCHOOL, incident_id="capture-c1", capture_id="c1",
                               occurred_at=AT, url=None, content_ref="ref-capture",
                               category=RiskCategory.CONTENT, child_protection=urgent,
                               cyber_bullying=False)

    def test_a_graded_capture_opens_a_classified_incident_once(self) -> None:
        opened = when([], self.open())
        assert [type(e) for e in opened] == [IncidentReported, IncidentClassified]
        assert opened[0].came_to_light is Source.CAPTURE  # type: ignore[attr-defined]
        assert when(opened, self.open()) == []

    def test_a_regrade_to_urgent_flags_child_protection_without_a_second_incident(
            self) -> None:
        opened = when([], self.open())
        then = when(opened, self.open(urgent=True))
        assert len(then) == 1 and isinstance(then[0], IncidentClassified)
        assert then[0].child_protection and then[0].category is RiskCategory.CONTENT
        assert when([*opened, *then], self.open(urgent=True)) == []


class TestInvolved:
    def test_naming_more_people_involved(self) -> None:
        pupil = Involved(kind=InvolvedKind.PUPIL, person_id="p2", name="Ben")
        cmd = AddInvolved(school_id=SCHOOL, incident_id=IID, involved=[pupil])
        then = when([REPORTED], by(cmd))
        assert then == [InvolvedAdded(incident_id=IID, involved=[pupil], by="dsl")]
        assert incident.fold([REPORTED, *then]).people == ("p1", "p2")

    def test_someone_already_involved_is_not_named_twice(self) -> None:
        cmd = AddInvolved(school_id=SCHOOL, incident_id=IID,
                          involved=[Involved(kind=InvolvedKind.PUPIL, person_id="p1")])
        with pytest.raises(InvalidInput, match="already involved"):
            when([REPORTED], by(cmd))

    def test_staff_named_later_make_a_complaint_head_only(self) -> None:
        complaint = REPORTED.model_copy(update={"came_to_light": Source.COMPLAINT})
        staff = InvolvedAdded(incident_id=IID, by="head",
                              involved=[Involved(kind=InvolvedKind.STAFF, person_id="s1")])
        assert not incident.fold([complaint]).head_only
        state = incident.fold([complaint, staff])
        assert state.about_staff and state.head_only


class TestErasableText:
    """Referral notes and the outcome are kept outside the events, under the refs the handler
    gives; a purge erases them with the description and the notes."""

    def test_referral_notes_and_outcome_travel_as_refs(self) -> None:
        refer = by(ReferIncident(school_id=SCHOOL, incident_id=IID, agency=Agency.POLICE,
                                 reference="CAD 9", notes="officer will visit"), ref="ref-r")
        given: list[Event] = [REPORTED, *ASSIGNED, *when([REPORTED, *ASSIGNED], refer)]
        assert given[-1] == IncidentReferred(incident_id=IID, agency=Agency.POLICE,
                                             reference="CAD 9", content_ref="ref-r", by="dsl")
        close = by(CloseIncident(school_id=SCHOOL, incident_id=IID,
                                 outcome="parents informed"), ref="ref-o")
        assert when(given, close) == [IncidentClosed(incident_id=IID, content_ref="ref-o",
                                                     by="dsl")]
        assert "officer" not in str(given) and "parents" not in str(when(given, close))

    def test_a_purge_erases_the_referral_notes_and_outcome_too(self) -> None:
        referred = IncidentReferred(incident_id=IID, agency=Agency.POLICE, reference="CAD 9",
                                    content_ref="ref-r", by="dsl")
        given: list[Event] = [REPORTED, *ASSIGNED, referred, CLOSED]
        purge = PurgeText(SCHOOL, IID, AT.date(), "incident_text retention")
        [purged] = when(given, purge)
        assert purged == IncidentContentPurged(
            incident_id=IID, refs=["ref-report", "ref-r", "ref-outcome"],
            fields=["description", "notes", "outcome"], removed_on=AT.date(),
            reason="incident_text retention")
        assert when([*given, purged], purge) == []

    def test_stored_v1_events_load_without_their_text(self) -> None:
        def stored(type_name: str, payload: dict[str, object]) -> Envelope:
            return Envelope(event_id=uuid4(), type=type_name, schema_version=1,
                            school_id=SCHOOL, aggregate_type="incident", aggregate_id=IID,
                            aggregate_version=3, occurred_at=AT, correlation_id=uuid4(),
                            payload=payload)

        referred = registry.decode(stored("IncidentReferred", {
            "incident_id": IID, "agency": "police", "reference": "CAD 9",
            "notes": "inline notes", "by": "dsl"}))
        closed = registry.decode(stored("IncidentClosed", {
            "incident_id": IID, "outcome": "inline outcome", "by": "dsl"}))
        assert referred == IncidentReferred(incident_id=IID, agency=Agency.POLICE,
                                            reference="CAD 9", content_ref=None, by="dsl")
        assert closed == IncidentClosed(incident_id=IID, content_ref=None, by="dsl")
