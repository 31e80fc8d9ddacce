"""Who handles a person's sanctions: the incident's routing rules, then staff sanctions for
the headteacher only and pupil sanctions for the leads."""

from __future__ import annotations

import pytest

from services.incident.domain.access import Sight
from services.sanction.domain.access import may_handle, names_shown
from services.sanction.domain.events import Audience
from shared.claims import Claims, Role

PLAIN = Sight(reporter="t1", child_protection=False, about_staff=False, head_only=False)
CP = Sight(reporter="t1", child_protection=True, about_staff=False, head_only=False)
STAFF = Sight(reporter="t1", child_protection=False, about_staff=True, head_only=False)
COMPLAINT = Sight(reporter="t1", child_protection=False, about_staff=True, head_only=True)


def as_(role: Role, subject: str = "x") -> Claims:
    return Claims(subject=subject, school_id="oakridge", la_id="la", roles=frozenset({role}))


@pytest.mark.parametrize(("role", "audience", "sight", "allowed"), [
    (Role.TEACHER, Audience.PUPIL, PLAIN, False),
    (Role.ESAFETY_COORDINATOR, Audience.PUPIL, PLAIN, True),
    (Role.ESAFETY_COORDINATOR, Audience.PUPIL, CP, False),  # child protection: DSL, deputy, head
    (Role.DEPUTY_DSL, Audience.PUPIL, CP, True),
    (Role.DSL, Audience.STAFF, STAFF, False),  # sees the incident, not the staff sanctions
    (Role.HEADTEACHER, Audience.STAFF, STAFF, True),
    (Role.HEADTEACHER, Audience.STAFF, COMPLAINT, True),
    (Role.DSL, Audience.PUPIL, COMPLAINT, False),  # a complaint about staff: the head only
    (Role.LA_ADMIN, Audience.STAFF, COMPLAINT, True),
    (Role.LA_MODERATOR, Audience.PUPIL, PLAIN, False),
    (Role.GOVERNOR, Audience.PUPIL, PLAIN, False),
])
def test_may_handle(role: Role, audience: Audience, sight: Sight, allowed: bool) -> None:
    assert may_handle(as_(role), audience, sight) is allowed


def test_the_reporter_does_not_handle_sanctions_by_reporting() -> None:
    assert not may_handle(as_(Role.TEACHER, "t1"), Audience.PUPIL, CP)


def test_a_referral_names_staff_to_the_head_only() -> None:
    assert names_shown(as_(Role.TECHNICIAN), Audience.PUPIL)
    assert not names_shown(as_(Role.TECHNICIAN), Audience.STAFF)
    assert names_shown(as_(Role.HEADTEACHER), Audience.STAFF)
