"""The kit's own tables, present in every service database.

- `events`: the append-only store; (aggregate_type, aggregate_id, version) is unique, which is
  what makes optimistic concurrency hold even between two processes.
- `outbox`: events recorded in the same transaction as `events`, relayed to JetStream.
- `processed_events`: ids a consumer has applied, written in the same transaction as its
  read-model change (exactly-once effect over at-least-once delivery).
- `dead_letters`: poison messages a consumer parked, with the reason.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from shared.db import new_metadata

kit_metadata = new_metadata()

# SQLite only auto-increments a plain INTEGER primary key.
Position = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    kit_metadata,
    Column("position", Position, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("aggregate_type", String(64), nullable=False),
    Column("aggregate_id", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(128), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("school_id", String(64), nullable=False, index=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("correlation_id", Uuid, nullable=False),
    Column("causation_id", Uuid, nullable=True, index=True),  # reactions look causes up
    Column("payload", JSON, nullable=False),
    Column("trace", JSON, nullable=False),
    UniqueConstraint("aggregate_type", "aggregate_id", "version", name="uq_events_stream_version"),
)

outbox = Table(
    "outbox",
    kit_metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    # The message exactly as it will be published: the relay only copies bytes.
    Column("subject", String(255), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),
    # NULL until JetStream acknowledged it; kept for a while after, to re-publish on recovery.
    Column("published_at", DateTime(timezone=True), nullable=True),
    Index("ix_outbox_published_at", "published_at"),
)

processed_events = Table(
    "processed_events",
    kit_metadata,
    Column("consumer", String(128), primary_key=True),
    Column("event_id", Uuid, primary_key=True),
)

dead_letters = Table(
    "dead_letters",
    kit_metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("consumer", String(128), nullable=False, index=True),
    Column("subject", String(255), nullable=False),
    Column("event_id", String(64), nullable=True),
    Column("reason", Text, nullable=False),
    Column("deliveries", Integer, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False),
    Column("data", LargeBinary, nullable=False),
)
