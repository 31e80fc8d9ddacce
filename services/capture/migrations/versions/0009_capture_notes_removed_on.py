"""capture: the day retention removed a capture's moderation notes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("captures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notes_removed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("captures", schema=None) as batch_op:
        batch_op.drop_column("notes_removed_on")
