"""The incident service's enums, registered once with strawberry (import them from here)."""

from __future__ import annotations

import strawberry

from services.incident.domain.events import (
    Agency,
    EntryKind,
    InvolvedKind,
    RiskCategory,
    Source,
    Status,
)

strawberry.enum(RiskCategory, name="RiskCategory",
                description="The 4 Cs of online risk: content, contact, conduct, commerce.")
strawberry.enum(Source, name="IncidentSource", description="How the incident came to light.")
strawberry.enum(InvolvedKind, description="How someone is involved in an incident.")
strawberry.enum(Status, name="IncidentStatus",
                description="reported -> under review -> action taken -> closed, or referred.")
strawberry.enum(Agency, name="ReferralAgency",
                description="Who an incident is referred to (LADO: allegations against staff).")
strawberry.enum(EntryKind, name="IncidentEntryKind",
                description="A chronology entry added by hand.")

__all__ = ["Agency", "EntryKind", "InvolvedKind", "RiskCategory", "Source", "Status"]
