"""Rewriting a ballot box at its close, so that the order rows are stored in no longer follows
the order of casting.

While a vote is open, the order rows sit in (SQLite's rowid, PostgreSQL's ctid) and the
transaction that wrote them (PostgreSQL's xmin) follow the order of casting, and a ballot and
its voter's participation were written by the same transaction. At the close every such row is
written again, in one transaction, sorted by something that says nothing of when it was cast
(a ballot's receipt or text, a voter's id) and, for ballots, under a new random key. Afterwards
they all say only "written at the close".
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy import ColumnElement, delete, event, insert, inspect, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

log = logging.getLogger(__name__)


def rewrite(
    db: Session,
    model: type[Any],
    where: ColumnElement[bool],
    order_by: InstrumentedAttribute[Any],
    *,
    new_key: str | None = None,
) -> None:
    """Write the rows of `model` matching `where` again in `order_by`'s order; `new_key` names
    a random key column that gets a fresh value. On PostgreSQL the table is vacuumed after the
    commit, so the replaced row versions do not stay in its pages in casting order."""
    columns = [column.key for column in inspect(model).columns]
    rows = [
        dict(row._mapping)
        for row in db.execute(select(*inspect(model).columns).where(where).order_by(order_by))
    ]
    db.execute(delete(model).where(where))
    if not rows:
        return
    if new_key is not None:
        for row in rows:
            row[new_key] = secrets.token_hex(16)
    db.execute(insert(model), [{name: row[name] for name in columns} for row in rows])
    if db.get_bind().dialect.name == "postgresql":
        tables: set[str] = db.info.setdefault("vacuum_after_commit", set())
        if not tables:
            event.listen(db, "after_commit", _vacuum_after_commit, once=True)
        tables.add(model.__tablename__)


def _vacuum_after_commit(db: Session) -> None:
    tables = sorted(db.info.pop("vacuum_after_commit", set()))
    try:
        with db.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM " + ", ".join(tables)))
    except Exception:  # the close stands; autovacuum will free the space later
        log.warning("vacuum after closing a ballot box failed", exc_info=True)
