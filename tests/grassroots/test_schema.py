"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from grassroots.schema import include_object, metadata


def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(database) -> None:  # type: ignore[no-untyped-def]
    if not database.is_sqlite:
        return
    with database.reading() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migrating_a_new_sqlite_file_switches_it_to_wal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Workers then find WAL on and never ask for it while another connection writes, which
    failed now and then with "database is locked" (seen in the concurrent audit test)."""
    import sqlite3

    from grassroots import migrate

    path = tmp_path / "new.db"
    migrate.upgrade(f"sqlite:///{path}")
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()
