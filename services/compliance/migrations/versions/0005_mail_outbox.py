"""mail outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 04:51:05.382191
"""

from collections.abc import Sequence

from shared.mail_migration import create_mail_outbox, drop_mail_outbox

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_mail_outbox()


def downgrade() -> None:
    drop_mail_outbox()
