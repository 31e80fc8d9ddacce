"""The GraphQL enums: the services' own Python enums, registered once with strawberry.

Import them from here (never straight from their home modules) in schema code, so that the
registration has happened before any type uses them. GraphQL names are the members (LA_ADMIN).
"""

from __future__ import annotations

import strawberry

from services.directory.domain.events import PersonKind, Phase
from shared.claims import Role

strawberry.enum(Role, description="What a person may do in their school or the LA.")
strawberry.enum(PersonKind, description="Pupil, staff, parent/carer, governor ...")
strawberry.enum(Phase, description="The school's phase of education.")

__all__ = ["PersonKind", "Phase", "Role"]
