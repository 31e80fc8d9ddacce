"""mail outbox

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 04:51:05.382191
"""

from collections.abc import Sequence

from shared.mail_migration import create_mail_outbox, drop_mail_outbox

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_mail_outbox()


def downgrade() -> None:
    drop_mail_outbox()
