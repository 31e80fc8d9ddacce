"""The routing rules as a table: who sees (all of) which kind of incident."""

from __future__ import annotations

import pytest

from services.incident.domain.access import Sight, may_manage, may_see, sees_all_of
from shared.claims import Claims, Role

PLAIN = Sight(reporter="t1", child_protection=False, about_staff=False, head_only=False)
CP = Sight(reporter="t1", child_protection=True, about_staff=False, head_only=False)
STAFF = Sight(reporter="t1", child_protection=False, about_staff=True, head_only=False)
COMPLAINT = Sight(reporter="t1", child_protection=False, about_staff=True, head_only=True)


def who(role: Role | None, subject: str = "x") -> Claims:
    return Claims(subject=subject, school_id="oakridge", la_id="testshire",
                  roles=frozenset({role}) if role else frozenset())


@pytest.mark.parametrize(("role", "plain", "cp", "staff", "complaint"), [
    (Role.TEACHER, True, False, False, False),
    (Role.ICT_LEAD, True, False, False, False),
    (Role.ESAFETY_COORDINATOR, True, False, True, False),
    (Role.DSL, True, True, True, False),
    (Role.DEPUTY_DSL, True, True, True, False),
    (Role.HEADTEACHER, True, True, True, True),
    (Role.GOVERNOR, False, False, False, False),
    (Role.LA_MODERATOR, True, False, False, False),
    (Role.LA_ADMIN, True, True, True, True),
    (None, False, False, False, False),
])
def test_who_sees_what(role: Role | None, plain: bool, cp: bool, staff: bool,
                       complaint: bool) -> None:
    caller = who(role)
    assert [sees_all_of(caller, s) for s in (PLAIN, CP, STAFF, COMPLAINT)] == [
        plain, cp, staff, complaint]


def test_the_reporter_sees_what_they_reported_but_not_the_whole_case() -> None:
    reporter = who(Role.TEACHER, "t1")
    assert may_see(reporter, CP) and not sees_all_of(reporter, CP)
    assert not may_manage(reporter, CP, assignee=None)


def test_the_assignee_manages_what_they_may_see() -> None:
    assert may_manage(who(Role.TEACHER, "t2"), PLAIN, assignee="t2")
    assert not may_manage(who(Role.TEACHER, "t2"), PLAIN, assignee="t3")
    assert not may_manage(who(Role.TEACHER, "t2"), CP, assignee="t2")
