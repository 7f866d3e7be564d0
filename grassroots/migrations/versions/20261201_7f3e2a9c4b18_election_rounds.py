"""Election rounds: a re-vote between the tied or a further round for the seats left names the
election it follows. And whether a receipt finds its ballot's marks, which an election sets;
when its result was published, for the results feed; whether it takes self-nominations; and
each nominee's own answer, accepting or declining; and the reason given with a nomination.

Revision ID: 7f3e2a9c4b18
Revises: 253c4227a152
Create Date: 2026-12-01 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import grassroots.db

revision: str = "7f3e2a9c4b18"
down_revision: str | None = "253c4227a152"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
FOREIGN_KEY = "fk_voting_elections_parent_id_voting_elections"


def upgrade() -> None:
    with op.batch_alter_table("voting_elections") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("round", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("receipt_shows_ballot", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("published_at", grassroots.db.UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("self_nomination", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_unique_constraint("uq_voting_elections_parent_id", ["parent_id"])
        batch.create_foreign_key(FOREIGN_KEY, "voting_elections", ["parent_id"], ["id"], ondelete="CASCADE")
    with op.batch_alter_table("voting_candidates") as batch:
        batch.add_column(sa.Column("accepted", sa.Boolean(), nullable=True))
    with op.batch_alter_table("voting_nominations") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("voting_nominations") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("voting_candidates") as batch:
        batch.drop_column("accepted")
    with op.batch_alter_table("voting_elections") as batch:
        batch.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch.drop_constraint("uq_voting_elections_parent_id", type_="unique")
        batch.drop_column("self_nomination")
        batch.drop_column("published_at")
        batch.drop_column("receipt_shows_ballot")
        batch.drop_column("round")
        batch.drop_column("parent_id")
