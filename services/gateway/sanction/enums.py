"""The sanction service's enums, registered once with strawberry (import them from here)."""

from __future__ import annotations

import strawberry

from services.sanction.domain.events import Effect, MatrixAudience

strawberry.enum(MatrixAudience, name="SanctionAudience",
                description="Which matrix: pupil incidents or staff incidents.")
strawberry.enum(Effect, name="SanctionEffect",
                description="What taking the action sets going: a parent-contact task, the "
                            "removal of internet access (until a date), a referral to "
                            "technical support.")

__all__ = ["Effect", "MatrixAudience"]
