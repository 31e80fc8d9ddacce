"""The capture service's enums, registered once with strawberry (import them from here)."""

from __future__ import annotations

import strawberry

from services.capture.domain.events import Category, Grade, Priority

strawberry.enum(Category, description="What a capture is about (keyword library categories).")
strawberry.enum(Grade, description="A moderator's verdict on a capture.")
strawberry.enum(Priority, description="Queue priority, from the triaged severity.")

__all__ = ["Category", "Grade", "Priority"]
