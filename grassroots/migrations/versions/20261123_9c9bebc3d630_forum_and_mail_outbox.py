"""Forums (boards, threads, posts, solicitations, search) and the mail outbox.

Revision ID: 9c9bebc3d630
Revises: 5076e57b687c
Create Date: 2026-11-23 12:59:26.092204
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import grassroots.db  # noqa: F401  (column types)

revision: str = "9c9bebc3d630"
down_revision: str | None = "5076e57b687c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sent_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_mail_outbox_pending", ["sent_at", "id"], unique=False)

    op.create_table(
        "forum_boards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("members_only", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("thread_count", sa.Integer(), nullable=False),
        sa.Column("post_count", sa.Integer(), nullable=False),
        sa.Column("last_post_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_forum_boards_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_boards")),
        sa.UniqueConstraint("slug", name=op.f("uq_forum_boards_slug")),
    )
    with op.batch_alter_table("forum_boards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forum_boards_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "forum_board_moderators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["forum_boards.id"],
            name=op.f("fk_forum_board_moderators_board_id_forum_boards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_forum_board_moderators_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_board_moderators")),
        sa.UniqueConstraint("board_id", "user_id", name=op.f("uq_forum_board_moderators_board_id_user_id")),
    )
    with op.batch_alter_table("forum_board_moderators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_board_moderators_user_id"), ["user_id"], unique=False)

    op.create_table(
        "forum_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("discussion", "solicitation", name="threadkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "visible",
                "held",
                "hidden",
                "rejected",
                "deleted",
                name="contentstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column("post_count", sa.Integer(), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("deadline", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("last_post_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_forum_threads_author_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["forum_boards.id"],
            name=op.f("fk_forum_threads_board_id_forum_boards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_threads")),
    )
    with op.batch_alter_table("forum_threads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_threads_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_forum_threads_board_listing", ["board_id", "pinned", "last_post_at"], unique=False
        )

    op.create_table(
        "forum_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("sort_key", sa.String(length=512), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "visible",
                "held",
                "hidden",
                "rejected",
                "deleted",
                name="contentstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("state_reason", sa.Text(), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("agree_count", sa.Integer(), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("edit_count", sa.Integer(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("edited_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_forum_posts_author_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_posts_parent_id_forum_posts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["forum_threads.id"],
            name=op.f("fk_forum_posts_thread_id_forum_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_posts")),
        sa.UniqueConstraint("thread_id", "floor", name=op.f("uq_forum_posts_thread_id_floor")),
    )
    with op.batch_alter_table("forum_posts", schema=None) as batch_op:
        batch_op.create_index("ix_forum_posts_author", ["author_id", "created_at"], unique=False)
        batch_op.create_index("ix_forum_posts_thread_agree", ["thread_id", "agree_count"], unique=False)
        batch_op.create_index("ix_forum_posts_thread_tree", ["thread_id", "depth", "sort_key"], unique=False)

    op.create_table(
        "forum_solicitation_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("summary_source", sa.Text(), nullable=False),
        sa.Column("summary_html", sa.Text(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("opinions", sa.Integer(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_forum_solicitation_responses_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["forum_threads.id"],
            name=op.f("fk_forum_solicitation_responses_thread_id_forum_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_solicitation_responses")),
        sa.UniqueConstraint("thread_id", name=op.f("uq_forum_solicitation_responses_thread_id")),
    )
    op.create_table(
        "forum_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("board_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["forum_boards.id"],
            name=op.f("fk_forum_watches_board_id_forum_boards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["forum_threads.id"],
            name=op.f("fk_forum_watches_thread_id_forum_threads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_forum_watches_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_watches")),
        sa.UniqueConstraint("user_id", "board_id", name=op.f("uq_forum_watches_user_id_board_id")),
        sa.UniqueConstraint("user_id", "thread_id", name=op.f("uq_forum_watches_user_id_thread_id")),
    )
    with op.batch_alter_table("forum_watches", schema=None) as batch_op:
        batch_op.create_index("ix_forum_watches_board", ["board_id"], unique=False)
        batch_op.create_index("ix_forum_watches_thread", ["thread_id"], unique=False)

    op.create_table(
        "forum_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_agreements_post_id_forum_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_forum_agreements_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_agreements")),
        sa.UniqueConstraint("post_id", "user_id", name=op.f("uq_forum_agreements_post_id_user_id")),
    )
    with op.batch_alter_table("forum_agreements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_agreements_user_id"), ["user_id"], unique=False)

    op.create_table(
        "forum_opinion_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("adopted", "partly", "not_adopted", name="decision", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_opinion_decisions_post_id_forum_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["forum_solicitation_responses.id"],
            name=op.f("fk_forum_opinion_decisions_response_id_forum_solicitation_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_opinion_decisions")),
        sa.UniqueConstraint("post_id", name=op.f("uq_forum_opinion_decisions_post_id")),
    )
    with op.batch_alter_table("forum_opinion_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forum_opinion_decisions_response_id"), ["response_id"], unique=False
        )

    op.create_table(
        "forum_post_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.Column("written_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("replaced_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["users.id"],
            name=op.f("fk_forum_post_revisions_editor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_post_revisions_post_id_forum_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_post_revisions")),
        sa.UniqueConstraint("post_id", "number", name=op.f("uq_forum_post_revisions_post_id_number")),
    )
    op.create_table(
        "forum_search",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["forum_boards.id"],
            name=op.f("fk_forum_search_board_id_forum_boards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["forum_posts.id"],
            name=op.f("fk_forum_search_post_id_forum_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_forum_search")),
    )
    with op.batch_alter_table("forum_search", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_search_board_id"), ["board_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), server_default="", nullable=False))

    # Search (forum/search.py): SQLite keeps the split words in an FTS5 table as well;
    # PostgreSQL answers from an expression index. Neither is a model, see grassroots/schema.py.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE forum_search_fts USING fts5(terms, tokenize='unicode61')")
    else:
        op.execute(
            "CREATE INDEX ix_forum_search_terms_tsv ON forum_search "
            "USING gin (to_tsvector('simple'::regconfig, terms))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE forum_search_fts")
    else:
        op.execute("DROP INDEX ix_forum_search_terms_tsv")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email")

    with op.batch_alter_table("forum_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_search_board_id"))

    op.drop_table("forum_search")
    op.drop_table("forum_post_revisions")
    with op.batch_alter_table("forum_opinion_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_opinion_decisions_response_id"))

    op.drop_table("forum_opinion_decisions")
    with op.batch_alter_table("forum_agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_agreements_user_id"))

    op.drop_table("forum_agreements")
    with op.batch_alter_table("forum_watches", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_watches_thread")
        batch_op.drop_index("ix_forum_watches_board")

    op.drop_table("forum_watches")
    op.drop_table("forum_solicitation_responses")
    with op.batch_alter_table("forum_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_posts_thread_tree")
        batch_op.drop_index("ix_forum_posts_thread_agree")
        batch_op.drop_index("ix_forum_posts_author")

    op.drop_table("forum_posts")
    with op.batch_alter_table("forum_threads", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_threads_board_listing")
        batch_op.drop_index(batch_op.f("ix_forum_threads_author_id"))

    op.drop_table("forum_threads")
    with op.batch_alter_table("forum_board_moderators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_board_moderators_user_id"))

    op.drop_table("forum_board_moderators")
    with op.batch_alter_table("forum_boards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_boards_organization_id"))

    op.drop_table("forum_boards")
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_outbox_pending")

    op.drop_table("mail_outbox")
