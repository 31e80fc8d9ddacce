"""GraphQL types of the incident service, built from its contract views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from services.gateway.incident.enums import Agency, InvolvedKind, RiskCategory, Source, Status
from services.incident.contracts import IncidentPage as IncidentPageView
from services.incident.contracts import IncidentView, ReviewView


@strawberry.type
class InvolvedPerson:
    kind: InvolvedKind
    person_id: str | None
    name: str


@strawberry.type(description="One entry of an incident's append-only chronology.")
class ChronologyEntry:
    seq: int
    at: datetime
    by: str
    by_name: str = strawberry.field(description="who, by name (the directory's)")
    entry: str = strawberry.field(description="reported, classified, involved, assigned, note, "
                                              "decision, "
                                              "action, status, referred, closed")
    detail: str


@strawberry.type
class Incident:
    incident_id: str
    school_id: str
    occurred_at: datetime
    reported_at: datetime
    url: str | None
    description: str
    came_to_light: Source
    reporter: str
    reporter_name: str
    capture_id: str | None
    category: RiskCategory | None
    incident_type: str | None
    cyber_bullying: bool
    child_protection: bool
    about_staff: bool
    status: Status
    assignee: str | None
    assignee_name: str
    referrals: list[Agency]
    outcome: str | None
    text_removed_on: date | None = strawberry.field(
        description="retention removed the description and notes on this day")
    transferred_to: str | None = strawberry.field(
        description="the pupil's record was transferred to this school: the description and "
                    "notes are for the DSL, deputy DSL and headteacher")
    involved: list[InvolvedPerson]
    chronology: list[ChronologyEntry] = strawberry.field(
        description="only on incident(); the reporter who may not see the whole case sees "
                    "their own entries")

    @classmethod
    def of(cls, data: Any) -> Incident:
        view = IncidentView.model_validate(data)
        return cls(**view.model_dump(exclude={"involved", "chronology"}),
                   involved=[InvolvedPerson(**p.model_dump()) for p in view.involved],
                   chronology=[ChronologyEntry(**e.model_dump()) for e in view.chronology])


@strawberry.type
class IncidentPage:
    items: list[Incident]
    total: int
    offset: int
    limit: int

    @classmethod
    def of(cls, data: Any) -> IncidentPage:
        page = IncidentPageView.model_validate(data)
        return cls(items=[Incident.of(i.model_dump()) for i in page.items], total=page.total,
                   offset=page.offset, limit=page.limit)


@strawberry.type(description="A termly review of the incident log (governors may read these).")
class TermlyReview:
    school_id: str
    term: str
    reviewer: str
    reviewer_name: str
    findings: str
    recorded_at: datetime

    @classmethod
    def of(cls, data: Any) -> TermlyReview:
        return cls(**ReviewView.model_validate(data).model_dump())


@strawberry.type
class IncidentRef:
    incident_id: str
    status: Status
