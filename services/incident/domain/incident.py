"""The incident decider: report, classify, assign, notes, status, referral, closure.

Every event is a chronology entry (who: `by`; when: the envelope's time); nothing is edited or
removed, so the chronology is append-only by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import assert_never

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
from shared.decider import Decider
from shared.errors import AlreadyExists, InvalidInput, NotFound
from shared.events import Event

# Where each status may go next. Referral and closure have their own commands.
NEXT: dict[Status, frozenset[Status]] = {
    Status.REPORTED: frozenset({Status.UNDER_REVIEW}),
    Status.UNDER_REVIEW: frozenset({Status.ACTION_TAKEN, Status.REFERRED, Status.CLOSED}),
    Status.ACTION_TAKEN: frozenset({Status.UNDER_REVIEW, Status.REFERRED, Status.CLOSED}),
    Status.REFERRED: frozenset({Status.ACTION_TAKEN, Status.REFERRED, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


@dataclass(frozen=True)
class Incident:
    exists: bool = False
    school_id: str = ""
    status: Status = Status.REPORTED
    reporter: str = ""
    came_to_light: Source = Source.STAFF
    people: tuple[str, ...] = ()  # directory ids of the people involved
    assignee: str | None = None
    category: RiskCategory | None = None
    incident_type: str | None = None
    cyber_bullying: bool = False
    child_protection: bool = False
    about_staff: bool = False  # someone involved is staff: not for ordinary staff's eyes
    about_pupils: bool = False  # a pupil from the directory is involved
    head_only: bool = False  # a complaint about staff: the headteacher only (Oakridge §16)
    referrals: tuple[Agency, ...] = ()
    entries: int = 0  # chronology entries so far
    refs: tuple[str, ...] = ()  # its erasable text still kept: description, notes (referral
    # notes among them), outcome
    closed_ref: str | None = None  # the outcome's
    text_removed_on: date | None = None


Handling = ClassifyIncident | AssignIncident | ChangeIncidentStatus \
    | ReferIncident | CloseIncident | AddInvolved
Action = ReportIncident | AddIncidentNote | Handling


@dataclass(frozen=True)
class Acting:
    """A command with who gives it (from the caller's verified claims)."""

    command: Action
    by: str
    by_name: str = ""
    incident_id: str = ""  # the new incident's id, for ReportIncident
    content_ref: str | None = None  # where the handler kept the description or note


@dataclass(frozen=True)
class OpenFromCapture:
    """A capture graded violation or urgent child protection (the capture reaction)."""

    school_id: str
    incident_id: str
    capture_id: str
    occurred_at: datetime
    url: str | None
    content_ref: str | None  # the description the reaction kept
    category: RiskCategory | None
    child_protection: bool
    cyber_bullying: bool


@dataclass(frozen=True)
class PurgeText:
    """Retention: remove the incident's description and notes."""

    school_id: str
    incident_id: str
    on: date
    reason: str


IncidentCommand = Acting | OpenFromCapture | PurgeText
SYSTEM = "system"



def decide(command: IncidentCommand, state: Incident) -> list[Event]:
    match command:
        case OpenFromCapture():
            return _open_from_capture(command, state)
        case Acting(command=ReportIncident() as cmd, by=by, by_name=name, incident_id=iid,
                    content_ref=ref):
            if state.exists:
                raise AlreadyExists(f"incident {iid} exists", field="incident_id")
            return [IncidentReported(
                incident_id=iid, school_id=cmd.school_id, occurred_at=cmd.occurred_at,
                url=cmd.url, content_ref=ref, came_to_light=cmd.came_to_light,
                involved=cmd.involved, reporter=by, reporter_name=name)]
        case Acting(command=AddIncidentNote() as cmd, by=by, content_ref=ref):
            _require(state, cmd.school_id, cmd.incident_id)
            return [IncidentNoteAdded(incident_id=cmd.incident_id, kind=cmd.kind,
                                      content_ref=ref, by=by)]
        case PurgeText(school_id=school, incident_id=iid, on=on, reason=reason):
            _require(state, school, iid)
            return [IncidentContentPurged(
                incident_id=iid, refs=list(state.refs),
                fields=["description", "notes", *(["outcome"] if state.closed_ref else [])],
                removed_on=on, reason=reason)] if state.refs else []
        case Acting(command=ClassifyIncident() | AssignIncident()
                    | ChangeIncidentStatus() | ReferIncident() | CloseIncident()
                    | AddInvolved() as cmd, by=by, content_ref=ref):
            _require(state, cmd.school_id, cmd.incident_id)
            return _act(cmd, by, state, ref)
        case _:
            # mypy cannot narrow a dataclass by the class of its field: no assert_never here.
            raise AssertionError(f"unhandled command {command!r}")


def _act(cmd: Handling, by: str, state: Incident, ref: str | None) -> list[Event]:
    """`ref`: where the handler kept a referral's notes or a closure's outcome."""
    iid = cmd.incident_id
    match cmd:
        case ClassifyIncident():
            _open(state)
            if cmd.category is None and cmd.incident_type is None:
                raise InvalidInput("give a category, an incident type, or both",
                                   field="category")
            return [IncidentClassified(
                incident_id=iid, category=cmd.category, incident_type=cmd.incident_type,
                cyber_bullying=cmd.cyber_bullying, child_protection=cmd.child_protection, by=by)]
        case AddInvolved(involved=people):
            _open(state)
            again = [p.person_id for p in people if p.person_id in state.people]
            if again:
                raise InvalidInput(f"already involved: {', '.join(map(str, again))}",
                                   field="involved")
            return [InvolvedAdded(incident_id=iid, involved=people, by=by)]
        case AssignIncident(assignee=assignee):
            _open(state)
            events: list[Event] = [IncidentAssigned(incident_id=iid, assignee=assignee, by=by)]
            if state.status is Status.REPORTED:
                events.append(IncidentStatusChanged(
                    incident_id=iid, status=Status.UNDER_REVIEW, previous=state.status,
                    reason=f"assigned to {assignee}", by=by))
            return events
        case ChangeIncidentStatus(status=status, reason=reason):
            if status is Status.REFERRED:
                raise InvalidInput("refer with referIncident (it names the agency)",
                                   field="status")
            if status is Status.CLOSED:
                raise InvalidInput("close with closeIncident (it records the outcome)",
                                   field="status")
            if status is Status.UNDER_REVIEW and state.assignee is None:
                raise InvalidInput("assign the incident to put it under review", field="status")
            _move(state, status)
            return [IncidentStatusChanged(incident_id=iid, status=status,
                                          previous=state.status, reason=reason, by=by)]
        case ReferIncident(agency=agency, reference=reference):
            if agency is Agency.LADO and not state.about_staff:
                raise InvalidInput("the LADO hears allegations against staff; no member of "
                                   "staff is involved in this incident", field="agency")
            _move(state, Status.REFERRED)
            return [IncidentReferred(incident_id=iid, agency=agency, reference=reference,
                                     content_ref=ref, by=by)]
        case CloseIncident():
            _move(state, Status.CLOSED)
            return [IncidentClosed(incident_id=iid, content_ref=ref, by=by)]
        case _:
            assert_never(cmd)


def _open_from_capture(cmd: OpenFromCapture, state: Incident) -> list[Event]:
    """Once per capture: a redelivery or a regrade to the same effect decides nothing."""
    if state.exists:
        if cmd.child_protection and not state.child_protection:
            return [IncidentClassified(
                incident_id=cmd.incident_id, category=state.category or cmd.category,
                incident_type=state.incident_type, cyber_bullying=state.cyber_bullying,
                child_protection=True, by=SYSTEM)]
        return []
    return [
        IncidentReported(incident_id=cmd.incident_id, school_id=cmd.school_id,
                         occurred_at=cmd.occurred_at, url=cmd.url, content_ref=cmd.content_ref,
                         came_to_light=Source.CAPTURE, reporter=SYSTEM,
                         reporter_name="LA moderation", capture_id=cmd.capture_id),
        IncidentClassified(incident_id=cmd.incident_id, category=cmd.category,
                           incident_type=None, cyber_bullying=cmd.cyber_bullying,
                           child_protection=cmd.child_protection, by=SYSTEM),
    ]


def _require(state: Incident, school_id: str, incident_id: str) -> None:
    # Another school's incident is "not found": never confirm another tenant's ids.
    if not state.exists or state.school_id != school_id:
        raise NotFound(f"no incident {incident_id} at this school", field="incident_id")


def _open(state: Incident) -> None:
    if state.status is Status.CLOSED:
        raise InvalidInput("the incident is closed", field="incident_id")


def _move(state: Incident, to: Status) -> None:
    if to not in NEXT[state.status]:
        raise InvalidInput(f"an incident cannot go from {state.status.value} to {to.value}",
                           field="status")


def evolve(state: Incident, event: Event) -> Incident:
    counted = replace(state, entries=state.entries + 1)
    match event:
        case IncidentReported(content_ref=ref):
            reported = replace(counted, exists=True, school_id=event.school_id,
                               reporter=event.reporter, came_to_light=event.came_to_light,
                               refs=(ref,) if ref else ())
            return _involving(reported, event.involved)
        case IncidentNoteAdded(content_ref=ref):
            return replace(counted, refs=(*state.refs, ref) if ref else state.refs)
        case IncidentReferred(agency=agency, content_ref=ref):
            return replace(counted, status=Status.REFERRED,
                           referrals=(*state.referrals, agency),
                           refs=(*state.refs, ref) if ref else state.refs)
        case IncidentClosed(content_ref=ref):
            return replace(counted, status=Status.CLOSED, closed_ref=ref,
                           refs=(*state.refs, ref) if ref else state.refs)
        case IncidentContentPurged(removed_on=on):
            return replace(state, refs=(), closed_ref=None, text_removed_on=on)
        case InvolvedAdded():
            return _involving(counted, event.involved)
        case IncidentClassified():
            return replace(counted, category=event.category, incident_type=event.incident_type,
                           cyber_bullying=event.cyber_bullying,
                           child_protection=event.child_protection)
        case IncidentAssigned(assignee=assignee):
            return replace(counted, assignee=assignee)
        case IncidentStatusChanged(status=status):
            return replace(counted, status=status)
        case _:
            return counted


def _involving(state: Incident, people: list[Involved]) -> Incident:
    """Anyone from staff makes it about staff; a complaint about staff is the head's only."""
    staff = state.about_staff or any(p.kind is InvolvedKind.STAFF for p in people)
    pupils = state.about_pupils or any(p.kind is InvolvedKind.PUPIL and p.person_id
                                       for p in people)
    return replace(state, about_staff=staff, about_pupils=pupils,
                   head_only=staff and state.came_to_light is Source.COMPLAINT,
                   people=(*state.people, *(p.person_id for p in people if p.person_id)))


incident = Decider[IncidentCommand, Incident]("incident", Incident(), decide, evolve)
