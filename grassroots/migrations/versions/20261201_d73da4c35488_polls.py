"""Polls: the poll (of an organization, optionally on a forum thread), who took part, and the
ballots (no voter, no time, a random key).

Revision ID: d73da4c35488
Revises: 7f3e2a9c4b18
Create Date: 2026-12-01 23:12:48.111441
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import grassroots.db  # noqa: F401  (column types)

revision: str = "d73da4c35488"
down_revision: str | None = "7f3e2a9c4b18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voting_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("single", "multiple", "ranked", name="pollkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("max_choices", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum("schulze", "irv", "stv", name="method", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column(
            "voters",
            sa.Enum("members", "signed_in", name="voters", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "shown",
            sa.Enum("after_voting", "at_close", name="shown", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "state", sa.Enum("open", "closed", name="pollstate", native_enum=False, length=16), nullable=False
        ),
        sa.Column("opens_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("closes_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_voting_polls_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_voting_polls_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_polls")),
        sa.UniqueConstraint("thread_id", name=op.f("uq_voting_polls_thread_id")),
    )
    with op.batch_alter_table("voting_polls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voting_polls_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "voting_poll_ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["voting_polls.id"],
            name=op.f("fk_voting_poll_ballots_poll_id_voting_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_poll_ballots")),
    )
    with op.batch_alter_table("voting_poll_ballots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voting_poll_ballots_poll_id"), ["poll_id"], unique=False)

    op.create_table(
        "voting_poll_participations",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["voting_polls.id"],
            name=op.f("fk_voting_poll_participations_poll_id_voting_polls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_voting_poll_participations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "user_id", name=op.f("pk_voting_poll_participations")),
    )


def downgrade() -> None:
    op.drop_table("voting_poll_participations")
    with op.batch_alter_table("voting_poll_ballots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voting_poll_ballots_poll_id"))

    op.drop_table("voting_poll_ballots")
    with op.batch_alter_table("voting_polls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voting_polls_organization_id"))

    op.drop_table("voting_polls")
