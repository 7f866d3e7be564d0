"""The disclosure area (disclosures, their revisions, objections), uploaded files, queue
items that may have no author (content written without an account), and the queue's indexes
for reading what waits grouped, and a page of it oldest first.

Revision ID: d11b23dff0bc
Revises: e64d06a2fd3a
Create Date: 2026-12-01 19:46:24.377846
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import grassroots.db  # noqa: F401  (column types)

revision: str = "d11b23dff0bc"
down_revision: str | None = "e64d06a2fd3a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("image", "pdf", "video", name="filekind", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
        sa.UniqueConstraint("name", name=op.f("uq_uploads_name")),
    )
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("post", "candidate", "notice", name="kind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum("published", "withdrawn", name="state", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("election_id", sa.Integer(), nullable=True),
        sa.Column("revision_count", sa.Integer(), nullable=False),
        sa.Column("current_revision_id", sa.Integer(), nullable=True),
        sa.Column("publish_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("publicity_ends_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("objections_received", sa.Integer(), nullable=False),
        sa.Column("objections_handled", sa.Integer(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.Column("withdrawn_role", sa.String(length=16), nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_disclosures_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["disclosures.id"],
            name=op.f("fk_disclosures_post_id_disclosures"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.create_index("ix_disclosures_listing", ["state", "publish_at"], unique=False)
        batch_op.create_index(
            "ix_disclosures_org_kind", ["organization_id", "kind", "publish_at"], unique=False
        )

    op.create_table(
        "disclosure_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disclosure_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column(
            "state",
            sa.Enum("held", "received", "handled", name="objectionstate", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.Column("handled_at", grassroots.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_disclosure_objections_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosures.id"],
            name=op.f("fk_disclosure_objections_disclosure_id_disclosures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_disclosure_objections_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_objections")),
    )
    with op.batch_alter_table("disclosure_objections", schema=None) as batch_op:
        batch_op.create_index("ix_disclosure_objections_disclosure", ["disclosure_id", "state"], unique=False)

    op.create_table(
        "disclosure_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disclosure_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("rendered", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("editor_role", sa.String(length=16), nullable=False),
        sa.Column("created_at", grassroots.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosures.id"],
            name=op.f("fk_disclosure_revisions_disclosure_id_disclosures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_revisions")),
        sa.UniqueConstraint(
            "disclosure_id", "number", name=op.f("uq_disclosure_revisions_disclosure_id_number")
        ),
    )
    with op.batch_alter_table("moderation_queue", schema=None) as batch_op:
        batch_op.alter_column("author_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.drop_index("ix_moderation_queue_open")
        batch_op.create_index(
            "ix_moderation_queue_open",
            ["state", "organization_id", "place", "reason", "created_at"],
            unique=False,
        )
        batch_op.create_index("ix_moderation_queue_waiting", ["state", "created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("moderation_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_queue_waiting")
        batch_op.drop_index("ix_moderation_queue_open")
        batch_op.create_index(
            "ix_moderation_queue_open", ["state", "organization_id", "created_at"], unique=False
        )
        batch_op.alter_column("author_id", existing_type=sa.INTEGER(), nullable=False)

    op.drop_table("disclosure_revisions")
    with op.batch_alter_table("disclosure_objections", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosure_objections_disclosure")

    op.drop_table("disclosure_objections")
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosures_org_kind")
        batch_op.drop_index("ix_disclosures_listing")

    op.drop_table("disclosures")
    op.drop_table("uploads")
