"""Subject access requests: every service answers `SubjectAccess` with what it holds about one
person, in one shape, so the gateway can assemble, redact and render the bundle.

Who may: the school's DSL and headteacher, and the LA's admins (a UK GDPR request is answered
by the controller's named people, not by every member of staff).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.claims import Claims, Role
from shared.rpc import RpcRouter

RPC = "SubjectAccess"
REQUESTERS = frozenset({Role.DSL, Role.HEADTEACHER, Role.LA_ADMIN})


class SubjectAccess(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    school_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
    person_id: str = Field(min_length=1, max_length=64)


class Item(BaseModel):
    """One thing held about the person: a record, a signature, a view of their data."""

    kind: str = Field(description="e.g. person, signature, capture, incident, action, view")
    id: str
    at: datetime | None = None
    summary: str = Field(description="one readable line for the PDF")
    data: dict[str, Any] = {}


class Part(BaseModel):
    service: str
    items: list[Item]


Collect = Callable[[SubjectAccess, Claims], Awaitable[list[Item]]]


def serve(rpc: RpcRouter, collect: Collect) -> None:
    """Register the service's `SubjectAccess` handler: authorise, then collect its items."""
    async def answer(q: SubjectAccess, caller: Claims) -> Part:
        caller.require_role(q.school_id, REQUESTERS)
        return Part(service=rpc.service, items=await collect(q, caller))

    rpc.add(RPC, answer, model=SubjectAccess)
