"""Who may see and handle an incident: the routing rules of the policies, in one place.

- A complaint about staff misuse goes to the headteacher only (Oakridge §16).
- Child-protection incidents: the DSL, deputy DSL and headteacher only.
- Incidents about staff: not for ordinary staff; the safeguarding leads and the e-safety
  co-ordinator.
- Everything else: any member of staff. The reporter always sees the incident they reported,
  but of the chronology only their own entries unless another rule lets them see it all.
- LA admin: every school, everything (oversight and the LA/LADO referrals). LA moderators:
  across schools like ordinary staff, so never child-protection or staff incidents (they
  graded the capture; the case is the school's).
- Governors see no incident, only the termly reviews.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.claims import SAFEGUARDING_ROLES, STAFF_ROLES, Claims, Role

MANAGERS = SAFEGUARDING_ROLES | {Role.ESAFETY_COORDINATOR}
ORDINARY = (STAFF_ROLES | {Role.LA_MODERATOR}) - {Role.GOVERNOR}
REVIEWERS = frozenset({Role.ESAFETY_COORDINATOR, Role.DSL, Role.HEADTEACHER})
REVIEW_READERS = REVIEWERS | {Role.DEPUTY_DSL, Role.GOVERNOR, Role.LA_ADMIN}
# Record transfers, and the free text of incidents whose record was transferred away.
LEADS = SAFEGUARDING_ROLES | {Role.LA_ADMIN}


@dataclass(frozen=True)
class Sight:
    """What decides who may see an incident."""

    reporter: str
    child_protection: bool
    about_staff: bool
    head_only: bool


def sees_all_of(caller: Claims, sight: Sight) -> bool:
    """May the caller see the incident with its whole chronology?"""
    roles = caller.roles
    if Role.LA_ADMIN in roles:
        return True
    if sight.head_only:
        return Role.HEADTEACHER in roles
    if sight.child_protection:
        return bool(roles & SAFEGUARDING_ROLES)
    if sight.about_staff:
        return bool(roles & MANAGERS)
    return bool(roles & ORDINARY)


def may_see(caller: Claims, sight: Sight) -> bool:
    return caller.subject == sight.reporter or sees_all_of(caller, sight)


def may_manage(caller: Claims, sight: Sight, assignee: str | None) -> bool:
    """Classify, assign, change status, refer, close: the leads who may see it all, or the
    person it is assigned to (while they may still see it)."""
    if not sees_all_of(caller, sight):
        return False
    return bool(caller.roles & (MANAGERS | {Role.LA_ADMIN})) or caller.subject == assignee
