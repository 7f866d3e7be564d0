"""A version number on threads, raised by every change to what their pages show (page cache).

Revision ID: f6fec26e4e3d
Revises: e1b2fa018ccf
Create Date: 2026-11-23 14:03:20.926041
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import grassroots.db  # noqa: F401  (column types)

revision: str = "f6fec26e4e3d"
down_revision: str | None = "e1b2fa018ccf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("forum_threads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("forum_threads", schema=None) as batch_op:
        batch_op.drop_column("version")
