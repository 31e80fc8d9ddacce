"""Who handles a person's sanctions: the incident's routing rules, then staff sanctions for
the headteacher only and pupil sanctions for the leads."""

from __future__ import annotations

import pytest

from services.incident.domain.access import Sight
from services.sanction.domain.access import may_handle, names_shown
from services.sanction.domain.events import MatrixAudience
from shared.claims import Claims, Role

PLAIN = Sight(reporter="t1", child_protection=False, about_staff=False, head_only=False)
CP = Sight(reporter="t1", child_protection=True, about_staff=False, head_only=False)
STAFF = Sight(reporter="t1", child_protection=False, about_staff=True, head_only=False)
COMPLAINT = Sight(reporter="t1", child_protection=False, about_staff=True, head_only=True)


def as_(role: Role, subject: str = "x") -> Claims:
    return Claims(subject=subject, school_id="oakridge", la_id="la", roles=frozenset({role}))


@pytest.mark.parametrize(("role", "audience", "sight", "allowed"), [
    (Role.TEACHER, MatrixAudience.PUPIL, PLAIN, False),
    (Role.ESAFETY_COORDINATOR, MatrixAudience.PUPIL, PLAIN, True),
    # child protection: DSL, deputy, head
    (Role.ESAFETY_COORDINATOR, MatrixAudience.PUPIL, CP, False),
    (Role.DEPUTY_DSL, MatrixAudience.PUPIL, CP, True),
    (Role.DSL, MatrixAudience.STAFF, STAFF, False),  # sees the incident, not the staff sanctions
    (Role.HEADTEACHER, MatrixAudience.STAFF, STAFF, True),
    (Role.HEADTEACHER, MatrixAudience.STAFF, COMPLAINT, True),
    (Role.DSL, MatrixAudience.PUPIL, COMPLAINT, False),  # a complaint about staff: the head only
    (Role.LA_ADMIN, MatrixAudience.STAFF, COMPLAINT, True),
    (Role.LA_MODERATOR, MatrixAudience.PUPIL, PLAIN, False),
    (Role.GOVERNOR, MatrixAudience.PUPIL, PLAIN, False),
])
def test_may_handle(role: Role, audience: MatrixAudience, sight: Sight, allowed: bool) -> None:
    assert may_handle(as_(role), audience, sight) is allowed


def test_the_reporter_does_not_handle_sanctions_by_reporting() -> None:
    assert not may_handle(as_(Role.TEACHER, "t1"), MatrixAudience.PUPIL, CP)


def test_a_referral_names_staff_to_the_head_only() -> None:
    assert names_shown(as_(Role.TECHNICIAN), MatrixAudience.PUPIL)
    assert not names_shown(as_(Role.TECHNICIAN), MatrixAudience.STAFF)
    assert names_shown(as_(Role.HEADTEACHER), MatrixAudience.STAFF)
