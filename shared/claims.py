"""Identity claims and tenancy: who is calling, and which school's data they may touch.

The gateway verifies the token and forwards these claims with every command and query;
services decide on them (never on anything the client says about itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.errors import Forbidden


class Role(StrEnum):
    HEADTEACHER = "headteacher"
    DSL = "dsl"
    DEPUTY_DSL = "deputy_dsl"
    ESAFETY_COORDINATOR = "esafety_coordinator"
    ICT_LEAD = "ict_lead"
    TECHNICIAN = "technician"
    TEACHER = "teacher"
    GOVERNOR = "governor"
    SCHOOL_ADMIN = "school_admin"
    LA_MODERATOR = "la_moderator"
    LA_ADMIN = "la_admin"
    # A machine: an integrator's API key, bound to one school and to the scopes it was given.
    INTEGRATOR = "integrator"


class Scope(StrEnum):
    """What an integrator key may do (people never carry scopes; their roles decide)."""

    ROSTER_WRITE = "roster:write"
    CAPTURES_WRITE = "captures:write"
    FILTERING_WRITE = "filtering:write"  # a filtering product's log summaries


LA_ROLES = frozenset({Role.LA_MODERATOR, Role.LA_ADMIN})
SCHOOL_ROLES = frozenset(Role) - LA_ROLES - {Role.INTEGRATOR}
STAFF_ROLES = SCHOOL_ROLES - {Role.GOVERNOR}
SAFEGUARDING_ROLES = frozenset({Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL})


class Origin(BaseModel):
    """Where a request came from, as the gateway saw it: for the audit trail of reads."""

    model_config = ConfigDict(frozen=True)

    ip: str = ""
    user_agent: str = ""


class Claims(BaseModel):
    model_config = ConfigDict(frozen=True)

    subject: str  # person id, or "system" for the platform's own reactions
    name: str = ""
    school_id: str  # home tenant: a school id, or the LA id for LA staff
    la_id: str
    roles: frozenset[Role] = frozenset()
    scopes: frozenset[Scope] = frozenset()
    # Set by the gateway per request (never part of the token); None for the platform itself.
    origin: Origin | None = None

    @property
    def is_la(self) -> bool:
        return bool(self.roles & LA_ROLES)

    def require_scope(self, school_id: str, scope: Scope) -> None:
        """For integrator endpoints: the key's own school and a scope it was given."""
        if not self.can_access(school_id):
            raise Forbidden("you may not act for this school")
        if Role.INTEGRATOR not in self.roles or scope not in self.scopes:
            raise Forbidden(f"this needs an integrator key with the scope {scope.value}")

    def has_any(self, roles: Iterable[Role]) -> bool:
        return bool(self.roles & frozenset(roles))

    def can_access(self, school_id: str) -> bool:
        return self.is_la or school_id == self.school_id

    def require_school(self, school_id: str) -> None:
        # Same message whether the school exists or not: no probing of other tenants.
        if not self.can_access(school_id):
            raise Forbidden("you may not act for this school")
        # A key is a machine bound to its scopes (`require_scope`), never a member of the
        # school: whatever is open to "anyone at the school" is not open to it.
        if Role.INTEGRATOR in self.roles:
            raise Forbidden("an integrator key may only use the endpoints of its scopes")

    def require_role(self, school_id: str, roles: Iterable[Role]) -> None:
        self.require_school(school_id)
        allowed = frozenset(roles)
        if not (self.roles & allowed):
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(f"this needs one of the roles: {names}")


    def require_school_role(self, school_id: str, roles: Iterable[Role]) -> None:
        """`require_role` for a school's own records: the LA itself is not a school, so LA
        roles may not file a school's records (classes, policies, incidents...) under it."""
        if school_id == self.la_id:
            raise Forbidden("this needs a school, not the local authority")
        self.require_role(school_id, roles)


def system_claims(la_id: str) -> Claims:
    """The platform itself (demo loader, cross-service reactions)."""
    return Claims(subject="system", name="platform", school_id=la_id, la_id=la_id,
                  roles=frozenset({Role.LA_ADMIN}))
