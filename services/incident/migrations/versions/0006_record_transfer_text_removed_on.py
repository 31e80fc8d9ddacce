"""incident: the day retention removed a record transfer's summaries and note

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 05:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("record_transfers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_removed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("record_transfers", schema=None) as batch_op:
        batch_op.drop_column("text_removed_on")
