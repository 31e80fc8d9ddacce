"""Compliance events: the DfE filtering and monitoring standards and the e-safety policy
document, per school. Type names are stable: they are stored forever."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from shared.events import Event
from shared.registry import registry


class Responsibility(StrEnum):
    """The roles the DfE filtering and monitoring standards ask a school to name."""

    SENIOR_LEADER = "senior_leader"  # the senior leadership team member responsible
    GOVERNOR = "governor"  # the governor who oversees the provision
    DSL = "dsl"
    IT_PROVIDER = "it_provider"  # the IT service provider (often a company, not a person)


class CheckResult(StrEnum):
    PASSED = "passed"
    PARTLY = "partly"  # some of what was tested worked
    FAILED = "failed"


@registry.register
class ResponsibilityAssigned(Event):
    type_name = "ResponsibilityAssigned"
    school_id: str
    responsibility: Responsibility
    holder: str  # a name as the school writes it
    person_id: str | None = None  # when the holder is in the directory
    assigned_by: str


@registry.register
class ProvisionReviewed(Event):
    """The annual review of the school's filtering and monitoring provision."""

    type_name = "ProvisionReviewed"
    school_id: str
    reviewed_on: date
    reviewed_by: str
    participants: list[str]
    findings: str
    actions: str
    next_due: date


@registry.register
class ProvisionChecked(Event):
    """One entry of the log of checks: what was tested, the result, the actions."""

    type_name = "ProvisionChecked"
    school_id: str
    check_id: str
    checked_on: date
    checked_by: str
    what_tested: str
    result: CheckResult
    actions: str


@registry.register
class PolicyVersionPublished(Event):
    """A version of the school's e-safety policy document, with its named roles."""

    type_name = "PolicyVersionPublished"
    school_id: str
    version: int
    title: str
    effective_from: date
    next_review: date
    named_roles: dict[str, str]  # e.g. "e-safety co-ordinator" -> "Emma Perkin"
    document_url: str | None = None
    published_by: str
