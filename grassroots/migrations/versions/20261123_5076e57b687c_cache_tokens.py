"""cache tokens

Revision ID: 5076e57b687c
Revises: 64f6ec64b042
Create Date: 2026-11-23 11:27:20.659809
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import grassroots.db  # noqa: F401  (column types)

revision: str = "5076e57b687c"
down_revision: str | None = "64f6ec64b042"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cache_tokens",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cache_tokens")),
    )


def downgrade() -> None:
    op.drop_table("cache_tokens")
