"""The agreement service's enums, registered once with strawberry (import them from here)."""

from __future__ import annotations

import strawberry

from services.agreement.domain.events import AccessStatus, Audience, SignMethod

strawberry.enum(Audience, description="Who an agreement is for (consents: a pupil's parent/carer).")
strawberry.enum(SignMethod, description="Signed online, or a paper form recorded by staff.")
strawberry.enum(AccessStatus, description="A person's entry in the internet-access register.")

__all__ = ["AccessStatus", "Audience", "SignMethod"]
