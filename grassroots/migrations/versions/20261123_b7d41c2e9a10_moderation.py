"""Moderation: watched words, the queue, flags, the public log, sanctions, appeals, slow mode,
and each organization's numbers. People who already published keep their standing.

Revision ID: b7d41c2e9a10
Revises: 3a7c1e9b5d20
Create Date: 2026-11-23 16:25:59.766663
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import grassroots.db  # noqa: F401  (column types)

revision: str = "b7d41c2e9a10"
down_revision: str | None = "3a7c1e9b5d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "moderation_slow_modes",
        sa.Column("container", sa.String(length=60), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("container", name=op.f("pk_moderation_slow_modes")),
    )
    op.create_table(
        "moderation_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("first_decider_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("open", "upheld", "overturned", name="appealstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_appeals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["first_decider_id"],
            ["users.id"],
            name=op.f("fk_moderation_appeals_first_decider_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_moderation_appeals_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_moderation_appeals_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_appeals")),
        sa.UniqueConstraint("subject", "subject_id", name=op.f("uq_moderation_appeals_subject_subject_id")),
    )
    with op.batch_alter_table("moderation_appeals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_appeals_user_id"), ["user_id"], unique=False)

    op.create_table(
        "moderation_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "spam",
                "abuse",
                "off_topic",
                "illegal",
                "other",
                name="flagreason",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_moderator", sa.Boolean(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_moderation_flags_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_flags")),
        sa.UniqueConstraint(
            "kind", "item_id", "user_id", name=op.f("uq_moderation_flags_kind_item_id_user_id")
        ),
    )
    with op.batch_alter_table("moderation_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_flags_user_id"), ["user_id"], unique=False)

    op.create_table(
        "moderation_last_posts",
        sa.Column("container", sa.String(length=60), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("posted_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_moderation_last_posts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("container", "user_id", name=op.f("pk_moderation_last_posts")),
    )
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("link", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["moderator_id"],
            ["users.id"],
            name=op.f("fk_moderation_log_moderator_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_moderation_log_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_log")),
    )
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_log_org", ["organization_id", "id"], unique=False)

    op.create_table(
        "moderation_org_rules",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("held_first_posts", sa.Integer(), nullable=False),
        sa.Column("flag_threshold", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_moderation_org_rules_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_moderation_org_rules")),
    )
    op.create_table(
        "moderation_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=60), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "new_account",
                "watched_word",
                "link",
                "flagged",
                "resubmitted",
                name="holdreason",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending", "approved", "rejected", "hidden", name="itemstate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_moderation_queue_author_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_queue_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_moderation_queue_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_queue")),
        sa.UniqueConstraint("kind", "item_id", name=op.f("uq_moderation_queue_kind_item_id")),
    )
    with op.batch_alter_table("moderation_queue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_queue_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_moderation_queue_open", ["state", "organization_id", "created_at"], unique=False
        )

    op.create_table(
        "moderation_sanctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("warning", "suspension", name="sanctionkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ends_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("lifted_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_sanctions_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_moderation_sanctions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_moderation_sanctions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_sanctions")),
    )
    with op.batch_alter_table("moderation_sanctions", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_sanctions_user", ["user_id", "kind", "ends_at"], unique=False)

    op.create_table(
        "moderation_standing",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("published", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_moderation_standing_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_moderation_standing_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "organization_id", name=op.f("pk_moderation_standing")),
    )
    op.create_table(
        "moderation_watched_words",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("word", sa.String(length=100), nullable=False),
        sa.Column("folded", sa.String(length=100), nullable=False),
        sa.Column(
            "action",
            sa.Enum("block", "hold", "replace", name="wordaction", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_moderation_watched_words_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_watched_words")),
        sa.UniqueConstraint("folded", name=op.f("uq_moderation_watched_words_folded")),
    )
    # Whoever already has public posts is not a new account: count them, by organization.
    op.execute(
        "INSERT INTO moderation_standing (user_id, organization_id, published) "
        "SELECT p.author_id, b.organization_id, count(*) FROM forum_posts p "
        "JOIN forum_threads t ON t.id = p.thread_id JOIN forum_boards b ON b.id = t.board_id "
        "WHERE p.state = 'visible' GROUP BY p.author_id, b.organization_id"
    )


def downgrade() -> None:
    op.drop_table("moderation_watched_words")
    op.drop_table("moderation_standing")
    with op.batch_alter_table("moderation_sanctions", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_sanctions_user")

    op.drop_table("moderation_sanctions")
    with op.batch_alter_table("moderation_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_queue_open")
        batch_op.drop_index(batch_op.f("ix_moderation_queue_author_id"))

    op.drop_table("moderation_queue")
    op.drop_table("moderation_org_rules")
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_log_org")

    op.drop_table("moderation_log")
    op.drop_table("moderation_last_posts")
    with op.batch_alter_table("moderation_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_flags_user_id"))

    op.drop_table("moderation_flags")
    with op.batch_alter_table("moderation_appeals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_appeals_user_id"))

    op.drop_table("moderation_appeals")
    op.drop_table("moderation_slow_modes")
