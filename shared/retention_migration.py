"""The retention tables as the migrations of every service that keeps them create them,
written once. Frozen: a later change to these tables is a new migration in each service, never
an edit here.

- erasure (shared/content.py, shared/erasure_log.py): `erasable_content`, `purge_log`;
- rules (the replica of services/compliance/retention_rules.py): `retention_rules`,
  `retention_schools`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_erasure_tables() -> None:
    op.create_table(
        "erasable_content",
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("aggregate_type", sa.String(length=64), nullable=False),
        sa.Column("aggregate_id", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ref", "field", name=op.f("pk_erasable_content")),
    )
    with op.batch_alter_table("erasable_content", schema=None) as batch_op:
        batch_op.create_index(
            "ix_erasable_content_aggregate", ["aggregate_type", "aggregate_id"], unique=False
        )
    op.create_table(
        "purge_log",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.String(length=128), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_purge_log")),
    )
    with op.batch_alter_table("purge_log", schema=None) as batch_op:
        batch_op.create_index("ix_purge_log_school", ["school_id", "recorded_at"], unique=False)


def drop_erasure_tables() -> None:
    with op.batch_alter_table("purge_log", schema=None) as batch_op:
        batch_op.drop_index("ix_purge_log_school")
    op.drop_table("purge_log")
    with op.batch_alter_table("erasable_content", schema=None) as batch_op:
        batch_op.drop_index("ix_erasable_content_aggregate")
    op.drop_table("erasable_content")


def create_rules_tables() -> None:
    op.create_table(
        "retention_rules",
        sa.Column("la_id", sa.String(length=64), nullable=False),
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("school_may_set", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "la_id", "school_id", "record_type", name=op.f("pk_retention_rules")
        ),
    )
    op.create_table(
        "retention_schools",
        sa.Column("school_id", sa.String(length=64), nullable=False),
        sa.Column("la_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("school_id", name=op.f("pk_retention_schools")),
    )


def drop_rules_tables() -> None:
    op.drop_table("retention_schools")
    op.drop_table("retention_rules")
