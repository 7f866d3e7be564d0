"""Mail outbox: when each mail may next be tried (grassroots/mail.py).

A claimed mail is held out of other senders' reach, and a failed one waits before its retry,
until this time; NULL once it was sent or given up.

Revision ID: e1b2fa018ccf
Revises: 80653c2d92ed
Create Date: 2026-11-23 13:07:03.126828
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import grassroots.db  # noqa: F401  (column types)

revision: str = "e1b2fa018ccf"
down_revision: str | None = "80653c2d92ed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", grassroots.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_mail_outbox_next_attempt_at"), ["next_attempt_at"], unique=False)
    # Mail queued before this revision is due now.
    op.execute("UPDATE mail_outbox SET next_attempt_at = created_at WHERE sent_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_outbox_next_attempt_at"))
        batch_op.drop_column("next_attempt_at")
