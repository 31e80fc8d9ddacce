"""The compliance service's enums, registered once with strawberry (import them from here)."""

from __future__ import annotations

import strawberry

from services.compliance.domain.events import (
    CheckResult,
    ReminderSubject,
    Responsibility,
    TrainingKind,
)

strawberry.enum(Responsibility, description="A role the DfE filtering and monitoring "
                                            "standards ask a school to name.")
strawberry.enum(CheckResult, description="What a check of the filtering or monitoring found.")
strawberry.enum(TrainingKind, description="Safeguarding and online safety training.")
strawberry.enum(ReminderSubject, description="What a compliance reminder is about.")

__all__ = ["CheckResult", "ReminderSubject", "Responsibility", "TrainingKind"]
