"""Compliance commands: each names its school; who acts comes from the verified claims."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from services.compliance.domain.events import CheckResult, Responsibility, TrainingKind
from services.directory.domain.commands import Slug

Text = Field(min_length=1, max_length=10000)


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    school_id: str = Slug


class AssignResponsibility(Command):
    responsibility: Responsibility
    holder: str = Field(min_length=1, max_length=200)
    person_id: str | None = Field(default=None, max_length=64)


class RecordProvisionReview(Command):
    reviewed_on: date
    participants: list[str] = Field(default=[], max_length=20)
    findings: str = Text
    actions: str = Field(default="none", min_length=1, max_length=10000)
    next_due: date | None = Field(default=None, description="a year on when not given")


class RecordProvisionCheck(Command):
    checked_on: date
    what_tested: str = Field(min_length=1, max_length=2000)
    result: CheckResult
    actions: str = Field(default="none", min_length=1, max_length=10000)


class PublishPolicyVersion(Command):
    title: str = Field(min_length=1, max_length=200)
    effective_from: date
    next_review: date
    named_roles: dict[str, str] = Field(default={}, max_length=30)
    document_url: str | None = Field(default=None, max_length=2000,
                                     pattern=r"^https?://")


class RecordTraining(Command):
    person_id: str = Field(min_length=1, max_length=64)
    kind: TrainingKind
    completed_on: date
    provider: str = Field(min_length=1, max_length=200)
    evidence: str | None = Field(default=None, max_length=2000)


class ImportTraining(Command):
    """Training records as CSV: a header row, then one record a row (see training_csv.py)."""

    csv: str = Field(min_length=1, max_length=900_000)  # under NATS's 1 MB message
