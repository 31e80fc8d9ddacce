"""Reactions to other services' events: they append our events in the transaction the kit opens
for the incoming event, so each happens exactly once (a redelivery is recorded as seen)."""

from __future__ import annotations

from abc import abstractmethod

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.agreement.domain.access import Revoke, access
from services.agreement.domain.assessment import LEFT_SCHOOL
from services.directory.domain.events import PersonLeft
from services.sanction.domain.events import InternetAccessRemovalOrdered
from shared.decider import load_in
from shared.events import Envelope, Event, Metadata
from shared.eventstore import EventStore, NewEvents
from shared.projection import Projection
from shared.registry import EventRegistry
from shared.tables import events


async def _reacted(conn: AsyncConnection, env: Envelope) -> bool:
    """Did we append events caused by `env` before? The kit's record of applied events makes
    a redelivery harmless; this makes a rebuild's replay of the reaction harmless too."""
    found = await conn.execute(select(events.c.position).where(
        events.c.causation_id == env.event_id).limit(1))
    return found.first() is not None


class _Revoking(Projection):
    """Turns an incoming event into a `Revoke` of the person's access."""

    def __init__(self, store: EventStore, registry: EventRegistry) -> None:
        self.store, self.registry = store, registry

    @abstractmethod
    def revoke(self, env: Envelope, event: Event) -> Revoke | None: ...

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        command = self.revoke(env, event)
        if command is None or await _reacted(conn, env):
            return
        state, version = await load_in(conn, self.registry, access, command.person_id)
        new = access.decide(command, state)
        meta = Metadata(school_id=command.school_id).caused_by(env)
        await self.store.append_in(conn, NewEvents("access", command.person_id, version, new,
                                                   meta))
        self.store.appended.set()


class LeaverReaction(_Revoking):
    """A leaver in the directory loses internet access for good."""

    name = "agreement-leavers"
    sources = ("directory",)
    handles = frozenset({PersonLeft.type_name})

    def revoke(self, env: Envelope, event: Event) -> Revoke | None:
        if not isinstance(event, PersonLeft):
            return None
        return Revoke(env.school_id, event.person_id, LEFT_SCHOOL, until=None)


class SanctionReaction(_Revoking):
    """The sanction "removal of network / internet access" revokes it until a date
    (`services/sanction/domain/events.py`)."""

    name = "agreement-sanctions"
    sources = ("sanction",)
    handles = frozenset({InternetAccessRemovalOrdered.type_name})

    def revoke(self, env: Envelope, event: Event) -> Revoke | None:
        if not isinstance(event, InternetAccessRemovalOrdered):
            return None
        if event.school_id != env.school_id:
            return None  # an order names its own school; anything else is not ours to act on
        return Revoke(env.school_id, event.person_id,
                      f"{event.reason} (incident {event.incident_id})", until=event.until)
