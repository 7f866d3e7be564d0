"""The secretary mailbox: letters, their history and attachments, and each organization's
reply deadline and holidays.

Revision ID: e64d06a2fd3a
Revises: b7d41c2e9a10
Create Date: 2026-12-01 19:23:10.713354
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import grassroots.db  # noqa: F401  (column types)

revision: str = "e64d06a2fd3a"
down_revision: str | None = "b7d41c2e9a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mailbox_holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_mailbox_holidays_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox_holidays")),
        sa.UniqueConstraint("organization_id", "day", name=op.f("uq_mailbox_holidays_organization_id_day")),
    )
    op.create_table(
        "mailbox_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("code_digest", sa.String(length=64), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "suggestion",
                "question",
                "help",
                "complaint",
                "problem",
                name="category",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("redact_names", sa.String(length=400), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("consent_publish", sa.Boolean(), nullable=False),
        sa.Column("writer_id", sa.Integer(), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "accepted",
                "in_progress",
                "waiting",
                "replied",
                "closed",
                "closed_unsolved",
                "declined",
                name="status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("clock_start", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("reply_days", sa.Integer(), nullable=False),
        sa.Column("paused_days", sa.Integer(), nullable=False),
        sa.Column("paused_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=False),
        sa.Column("due_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("first_replied_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("replied_on_time", sa.Boolean(), nullable=True),
        sa.Column("reply_seconds", sa.Integer(), nullable=True),
        sa.Column(
            "rating",
            sa.Enum("satisfied", "basic", "unsatisfied", name="rating", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("solved", sa.Boolean(), nullable=True),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.Column(
            "publication",
            sa.Enum("none", "held", "public", "hidden", name="publication", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("public_subject", sa.String(length=120), nullable=False),
        sa.Column("public_body_html", sa.Text(), nullable=False),
        sa.Column("public_reply_html", sa.Text(), nullable=False),
        sa.Column("public_text", sa.Text(), nullable=False),
        sa.Column("published_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_mailbox_letters_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_mailbox_letters_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["writer_id"], ["users.id"], name=op.f("fk_mailbox_letters_writer_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox_letters")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_mailbox_letters_code_digest")),
    )
    with op.batch_alter_table("mailbox_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mailbox_letters_category"), ["category"], unique=False)
        batch_op.create_index(
            "ix_mailbox_letters_org_month",
            [
                "organization_id",
                "month",
                "reply_seconds",
                "replied_on_time",
                "solved",
                "rating",
                "first_replied_at",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_mailbox_letters_org_status_created", ["organization_id", "status", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_mailbox_letters_publication", ["publication", "organization_id", "published_at"], unique=False
        )
        batch_op.create_index("ix_mailbox_letters_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_mailbox_letters_writer_id"), ["writer_id"], unique=False)

    op.create_table(
        "mailbox_settings",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("reply_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_mailbox_settings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_mailbox_settings")),
    )
    op.create_table(
        "mailbox_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["mailbox_letters.id"],
            name=op.f("fk_mailbox_attachments_letter_id_mailbox_letters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox_attachments")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_mailbox_attachments_stored_name")),
    )
    with op.batch_alter_table("mailbox_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mailbox_attachments_letter_id"), ["letter_id"], unique=False)

    op.create_table(
        "mailbox_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "written",
                "status",
                "reply",
                "writer_message",
                "note",
                "transfer",
                "extension",
                "rating",
                "reopen",
                "published",
                name="eventkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("by_writer", sa.Boolean(), nullable=False),
        sa.Column("old_status", sa.String(length=16), nullable=False),
        sa.Column("new_status", sa.String(length=16), nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_mailbox_events_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["mailbox_letters.id"],
            name=op.f("fk_mailbox_events_letter_id_mailbox_letters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailbox_events")),
    )
    with op.batch_alter_table("mailbox_events", schema=None) as batch_op:
        batch_op.create_index("ix_mailbox_events_letter", ["letter_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mailbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_mailbox_events_letter")

    op.drop_table("mailbox_events")
    with op.batch_alter_table("mailbox_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mailbox_attachments_letter_id"))

    op.drop_table("mailbox_attachments")
    op.drop_table("mailbox_settings")
    with op.batch_alter_table("mailbox_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mailbox_letters_writer_id"))
        batch_op.drop_index("ix_mailbox_letters_status_due")
        batch_op.drop_index("ix_mailbox_letters_publication")
        batch_op.drop_index("ix_mailbox_letters_org_status_created")
        batch_op.drop_index("ix_mailbox_letters_org_month")
        batch_op.drop_index(batch_op.f("ix_mailbox_letters_category"))

    op.drop_table("mailbox_letters")
    op.drop_table("mailbox_holidays")
