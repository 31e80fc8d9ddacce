"""a capture's triage may come before its receipt

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 05:37:38
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incident_captures", schema=None) as batch_op:
        batch_op.alter_column("captured_at", existing_type=sa.DateTime(timezone=True),
                              nullable=True)
        batch_op.alter_column("who", existing_type=sa.VARCHAR(length=300), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("incident_captures", schema=None) as batch_op:
        batch_op.alter_column("who", existing_type=sa.VARCHAR(length=300), nullable=False)
        batch_op.alter_column("captured_at", existing_type=sa.DateTime(timezone=True),
                              nullable=False)

