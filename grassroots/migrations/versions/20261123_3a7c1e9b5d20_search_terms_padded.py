"""Search terms stored with a space at both ends, so a phrase is a plain substring of them.

Revision ID: 3a7c1e9b5d20
Revises: f6fec26e4e3d
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3a7c1e9b5d20"
down_revision: str | None = "f6fec26e4e3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_GIN = (
    "CREATE INDEX ix_forum_search_terms_tsv ON forum_search "
    "USING gin (to_tsvector('simple'::regconfig, terms))"
)


def upgrade() -> None:
    _rewrite("' ' || terms || ' '", "terms NOT LIKE ' % '")


def downgrade() -> None:
    _rewrite("trim(terms)", "terms LIKE ' % '")


def _rewrite(value: str, where: str) -> None:
    # The tokens are unchanged, so the FTS5 copy on SQLite stays as it is. On PostgreSQL the
    # GIN index is built again after the update: faster than updating it row by row.
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP INDEX ix_forum_search_terms_tsv")
    op.execute(f"UPDATE forum_search SET terms = {value} WHERE {where}")  # noqa: S608  (constant text)
    if postgres:
        op.execute(_GIN)
