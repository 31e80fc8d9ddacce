"""The compliance read model: the named roles, reviews, the log of checks, policy versions, and
the LA's schools (from the directory's events, so a school that has recorded nothing shows as
overdue rather than not at all)."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import JSON, Column, Date, DateTime, Integer, MetaData, String, Table, Text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.compliance.domain.events import (
    PolicyVersionPublished,
    ProvisionChecked,
    ProvisionReviewed,
    ResponsibilityAssigned,
)
from services.directory.domain.events import SchoolOnboarded
from shared.db import new_metadata
from shared.events import Envelope, Event
from shared.projection import Projection

metadata = new_metadata()
school_metadata = new_metadata()  # its own: rebuilding one projection leaves the other's

schools = Table(
    "compliance_schools", school_metadata,
    Column("school_id", String(64), primary_key=True),
    Column("la_id", String(64), nullable=False, index=True),
    Column("name", String(100), nullable=False),
)
holders = Table(
    "responsibility_holders", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("responsibility", String(20), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("person_id", String(64)),
    Column("assigned_by", String(64), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
)
reviews = Table(
    "provision_reviews", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("reviewed_on", Date, primary_key=True),
    Column("reviewed_by", String(64), nullable=False),
    Column("participants", JSON, nullable=False),
    Column("findings", Text, nullable=False),
    Column("actions", Text, nullable=False),
    Column("next_due", Date, nullable=False),
)
checks = Table(
    "provision_checks", metadata,
    Column("check_id", String(64), primary_key=True),
    Column("school_id", String(64), nullable=False, index=True),
    Column("checked_on", Date, nullable=False),
    Column("checked_by", String(64), nullable=False),
    Column("what_tested", Text, nullable=False),
    Column("result", String(10), nullable=False),
    Column("actions", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
policies = Table(
    "policy_versions", metadata,
    Column("school_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("title", String(200), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("next_review", Date, nullable=False),
    Column("named_roles", JSON, nullable=False),
    Column("document_url", String(2000)),
    Column("published_by", String(64), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)


class Standards(Projection):
    name = "compliance-standards"
    sources = ("compliance",)
    handles = frozenset(e.type_name for e in (ResponsibilityAssigned, ProvisionReviewed,
                                               ProvisionChecked, PolicyVersionPublished))
    metadata: ClassVar[MetaData] = metadata
    inline = True

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        match event:
            case ResponsibilityAssigned():
                await conn.execute(holders.delete().where(
                    holders.c.school_id == event.school_id,
                    holders.c.responsibility == event.responsibility.value))
                await conn.execute(holders.insert().values(**event.model_dump(),
                                                           assigned_at=env.occurred_at))
            case ProvisionReviewed():
                await conn.execute(reviews.insert().values(**event.model_dump()))
            case ProvisionChecked():
                await conn.execute(checks.insert().values(**event.model_dump(),
                                                          recorded_at=env.occurred_at))
            case PolicyVersionPublished():
                await conn.execute(policies.insert().values(**event.model_dump(),
                                                            published_at=env.occurred_at))


class Schools(Projection):
    name = "compliance-schools"
    sources = ("directory",)
    handles = frozenset({SchoolOnboarded.type_name})
    metadata: ClassVar[MetaData] = school_metadata

    async def apply(self, conn: AsyncConnection, env: Envelope, event: Event) -> None:
        if isinstance(event, SchoolOnboarded):
            await conn.execute(schools.insert().values(school_id=event.school_id,
                                                       la_id=event.la_id, name=event.name))
