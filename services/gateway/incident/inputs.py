"""Incident inputs. Field names match the service's commands, so they go over as they are."""

from __future__ import annotations

from datetime import datetime

import strawberry

from services.gateway.incident.enums import InvolvedKind, RiskCategory, Source, Status


@strawberry.input
class InvolvedInput:
    kind: InvolvedKind
    person_id: str | None = strawberry.field(default=None,
                                             description="the directory's id, where known")
    name: str = strawberry.field(default="", description="free text when not in the directory")


@strawberry.input
class ReportIncidentInput:
    school_id: str
    occurred_at: datetime
    description: str
    came_to_light: Source
    url: str | None = None
    involved: list[InvolvedInput] = strawberry.field(default_factory=list)


@strawberry.input
class ClassifyIncidentInput:
    school_id: str
    incident_id: str
    category: RiskCategory | None = None
    incident_type: str | None = strawberry.field(default=None,
                                                 description="the school's own incident type")
    cyber_bullying: bool = False
    child_protection: bool = False


@strawberry.input
class IncidentFilter:
    term: str | None = strawberry.field(default=None, description="e.g. 2026-autumn")
    occurred_from: datetime | None = None
    occurred_to: datetime | None = strawberry.field(default=None, description="exclusive")
    category: RiskCategory | None = None
    incident_type: str | None = None
    status: Status | None = None
    person_id: str | None = None
    cyber_bullying: bool | None = None
    child_protection: bool | None = None
    about_staff: bool | None = strawberry.field(
        default=None, description="someone involved is staff; who sees these is the service's rule")
    came_to_light: Source | None = None
