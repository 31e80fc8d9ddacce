"""Who may see and handle sanctions: the incident's routing rules
(`services/incident/domain/access.py`) and, on top of them:

- sanctions on staff: the headteacher only (Oakridge §16: staff misuse goes to the head), and
  the LA admin;
- sanctions on pupils: the leads (DSL, deputy DSL, headteacher, e-safety co-ordinator) who may
  see the whole incident (child protection: the DSL, deputy and head), and the LA admin;
- the matrices themselves are the school's published policy: any member of the school (a
  role holder: staff and governors) and the LA reads them; the headteacher, the DSL and the
  LA admin publish a new version;
- the lists of recommendations and tasks are for staff and the LA, each row filtered by the
  rules above (not governors, parents or integrator keys);
- referrals to technical support: the ICT lead and technicians (and the leads); the person is
  named to them only when a pupil.
"""

from __future__ import annotations

from services.incident.domain.access import MANAGERS, Sight, sees_all_of
from services.sanction.domain.events import MatrixAudience
from shared.claims import LA_ROLES, SCHOOL_ROLES, STAFF_ROLES, Claims, Role

PUBLISHERS = frozenset({Role.HEADTEACHER, Role.DSL, Role.LA_ADMIN})
TECHNICAL = frozenset({Role.ICT_LEAD, Role.TECHNICIAN})
REFERRAL_READERS = TECHNICAL | MANAGERS | {Role.LA_ADMIN}
MATRIX_READERS = SCHOOL_ROLES | LA_ROLES
RECORD_READERS = STAFF_ROLES | LA_ROLES


def may_handle(caller: Claims, audience: MatrixAudience, sight: Sight) -> bool:
    """See and act on a person's sanctions for one incident."""
    roles = caller.roles
    if Role.LA_ADMIN in roles:
        return True
    if not sees_all_of(caller, sight):
        return False
    if audience is MatrixAudience.STAFF:
        return Role.HEADTEACHER in roles
    return bool(roles & MANAGERS)


def names_shown(caller: Claims, audience: MatrixAudience) -> bool:
    """Does a technical-support referral name the person to this caller?"""
    return audience is MatrixAudience.PUPIL or caller.has_any({Role.HEADTEACHER, Role.LA_ADMIN})
