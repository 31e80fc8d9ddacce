"""`login` (directory `Authenticate`, then a signed token) and `me` (the token's claims)."""

# strawberry.field(...)/mutation(...) with arguments is typed as returning Any.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import datetime

import strawberry

from services.directory.contracts import SERVICE, Authenticated
from services.gateway.context import Info, signed_in
from services.gateway.enums import Role
from shared.claims import Claims
from shared.errors import InvalidInput, Unauthenticated


@strawberry.type(description="The signed-in caller, as the token says.")
class Me:
    person_id: str
    name: str
    school_id: str = strawberry.field(description="a school, or the LA for LA staff")
    la_id: str
    roles: list[Role]

    @classmethod
    def of(cls, claims: Claims) -> Me:
        return cls(person_id=claims.subject, name=claims.name, school_id=claims.school_id,
                   la_id=claims.la_id, roles=sorted(claims.roles))


@strawberry.type
class Session:
    token: str = strawberry.field(description="send as 'Authorization: Bearer <token>'")
    expires_at: datetime
    me: Me


@strawberry.type
class SessionQuery:
    @strawberry.field(extensions=signed_in())
    def me(self, info: Info) -> Me:
        return Me.of(info.context.caller)


@strawberry.type
class SessionMutation:
    @strawberry.mutation(description="Sign in; failures are throttled per username and address.")
    async def login(self, info: Info, username: str, password: str) -> Session:
        ctx = info.context
        # Truncated: the key is kept in memory, and no real username is longer.
        key = f"{username.strip().lower()[:100]}|{ctx.client_ip}"
        ctx.logins.check(key)
        try:
            # Never on behalf of a token the request may carry: signing in is anonymous.
            reply = await ctx.rpc.call(SERVICE, "Authenticate",
                                       {"username": username, "password": password}, None)
        except (Unauthenticated, InvalidInput):
            ctx.logins.fail(key)
            raise
        ctx.logins.succeed(key)
        claims = Authenticated.model_validate(reply).claims
        token = ctx.tokens.issue(claims)
        return Session(token=token.value, expires_at=token.expires_at, me=Me.of(claims))
