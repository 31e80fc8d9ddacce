"""Directory inputs. Field names match the directory's commands, so they go over as they are;
the patterns (slugs, URN, year group range) are the service's to check."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry

from services.gateway.enums import PersonKind, Phase


@strawberry.input
class OnboardSchoolInput:
    school_id: str = strawberry.field(description="slug, e.g. oakridge-primary")
    name: str
    urn: str = strawberry.field(description="DfE unique reference number (6 or 7 digits)")
    phase: Phase


@strawberry.input
class EnrolPersonInput:
    school_id: str
    kind: PersonKind
    given_name: str
    family_name: str
    person_id: str | None = strawberry.field(default=None,
                                             description="chosen by the gateway when omitted")
    year_group: int | None = strawberry.field(default=None,
                                              description="pupils only; 0 = Reception")
    class_name: str | None = None
    mis_id: str | None = None
    email: str | None = None


def body(data: object, **extra: Any) -> dict[str, Any]:
    """A request body from an input object (plus fields the gateway fills in)."""
    assert dataclasses.is_dataclass(data) and not isinstance(data, type)
    return {**dataclasses.asdict(data), **extra}
