"""Elections: the election, nominations, candidates, the voter roll, check-ins, participations,
ballots (no voter, no time, a random key), the public ballot chain, and steps awaiting a
second official.

Revision ID: 253c4227a152
Revises: d11b23dff0bc
Create Date: 2026-12-01 20:11:40.148930
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import grassroots.db  # noqa: F401  (column types)

revision: str = "253c4227a152"
down_revision: str | None = "d11b23dff0bc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "voting_elections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("rules_hash", sa.String(length=64), nullable=False),
        sa.Column("public_recommendation", sa.Boolean(), nullable=False),
        sa.Column("nominations_each", sa.Integer(), nullable=False),
        sa.Column("nomination_days", sa.Integer(), nullable=False),
        sa.Column("publicity_days", sa.Integer(), nullable=False),
        sa.Column("voting_minutes", sa.Integer(), nullable=False),
        sa.Column(
            "phase",
            sa.Enum(
                "draft",
                "nomination",
                "review",
                "publicity",
                "voting",
                "closed",
                "tallied",
                "published",
                name="phase",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("nomination_ends_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("publicity_ends_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("voting_ends_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("expected", sa.Integer(), nullable=False),
        sa.Column("roll_hash", sa.String(length=64), nullable=False),
        sa.Column("chain_length", sa.Integer(), nullable=False),
        sa.Column("chain_head", sa.String(length=64), nullable=False),
        sa.Column("ballots_hash", sa.String(length=64), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_voting_elections_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_elections")),
    )
    with op.batch_alter_table("voting_elections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_voting_elections_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "voting_ballots",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(length=40), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["voting_elections.id"],
            name=op.f("fk_voting_ballots_election_id_voting_elections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_ballots")),
        sa.UniqueConstraint("receipt", name=op.f("uq_voting_ballots_receipt")),
    )
    with op.batch_alter_table("voting_ballots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voting_ballots_election_id"), ["election_id"], unique=False)

    op.create_table(
        "voting_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("nominations", sa.Integer(), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["voting_elections.id"],
            name=op.f("fk_voting_candidates_election_id_voting_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_voting_candidates_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_candidates")),
        sa.UniqueConstraint("election_id", "user_id", name=op.f("uq_voting_candidates_election_id_user_id")),
    )
    with op.batch_alter_table("voting_candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voting_candidates_election_id"), ["election_id"], unique=False)

    op.create_table(
        "voting_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("prev", sa.String(length=64), nullable=False),
        sa.Column("commitment", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["voting_elections.id"],
            name=op.f("fk_voting_chain_election_id_voting_elections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_chain")),
        sa.UniqueConstraint("election_id", "seq", name=op.f("uq_voting_chain_election_id_seq")),
        sa.UniqueConstraint("hash", name=op.f("uq_voting_chain_hash")),
    )
    op.create_table(
        "voting_checkins",
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["voting_elections.id"],
            name=op.f("fk_voting_checkins_election_id_voting_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_voting_checkins_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("election_id", "user_id", name=op.f("pk_voting_checkins")),
    )
    op.create_table(
        "voting_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column(
            "step",
            sa.Enum("open", "close", "publish", name="step", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["voting_elections.id"],
            name=op.f("fk_voting_confirmations_election_id_voting_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_voting_confirmations_requested_by_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_confirmations")),
        sa.UniqueConstraint("election_id", "step", name=op.f("uq_voting_confirmations_election_id_step")),
    )
    op.create_table(
        "voting_nominations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("nominator_id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["voting_elections.id"],
            name=op.f("fk_voting_nominations_election_id_voting_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominator_id"],
            ["users.id"],
            name=op.f("fk_voting_nominations_nominator_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominee_id"],
            ["users.id"],
            name=op.f("fk_voting_nominations_nominee_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_nominations")),
        sa.UniqueConstraint(
            "election_id",
            "nominator_id",
            "nominee_id",
            name=op.f("uq_voting_nominations_election_id_nominator_id_nominee_id"),
        ),
    )
    with op.batch_alter_table("voting_nominations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voting_nominations_election_id"), ["election_id"], unique=False)

    op.create_table(
        "voting_participations",
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["voting_elections.id"],
            name=op.f("fk_voting_participations_election_id_voting_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_voting_participations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("election_id", "user_id", name=op.f("pk_voting_participations")),
    )
    op.create_table(
        "voting_roll",
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("excluded_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["voting_elections.id"],
            name=op.f("fk_voting_roll_election_id_voting_elections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_voting_roll_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("election_id", "user_id", name=op.f("pk_voting_roll")),
    )


def downgrade() -> None:
    op.drop_table("voting_roll")
    op.drop_table("voting_participations")
    with op.batch_alter_table("voting_nominations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voting_nominations_election_id"))

    op.drop_table("voting_nominations")
    op.drop_table("voting_confirmations")
    op.drop_table("voting_checkins")
    op.drop_table("voting_chain")
    with op.batch_alter_table("voting_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voting_candidates_election_id"))

    op.drop_table("voting_candidates")
    with op.batch_alter_table("voting_ballots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voting_ballots_election_id"))

    op.drop_table("voting_ballots")
    with op.batch_alter_table("voting_elections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voting_elections_organization_id"))

    op.drop_table("voting_elections")
