"""What a thread's poll shows the public depends on, as each worker keeps it. The forum keeps the
page it shows anonymous readers under a key holding this stamp, so the stamp is asked for on
every such page view; one query each for it doubled the cost of a kept thread page
(bench/run.py, forum scenario). Each worker keeps which threads carry a poll instead, and a
token that every new thread poll and every close renews tells it when that is stale: it looks
at the token at most once a second, and at once after a change it made itself."""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from grassroots import tokens
from grassroots.db import utcnow

from .models import Poll

TOKEN = "polls.threads"  # noqa: S105 (a cache name, not a secret)
STAMP_SECONDS = 1.0
# Per database (its URL: reads and writes go through different engines): when the token was
# last looked at, the token, and thread id -> the row of its poll.
_kept: dict[str, tuple[float, str, dict[int, Any]]] = {}


def _database(db: Session) -> str:
    return str(db.get_bind().url)


def changed(db: Session) -> None:
    """A thread's poll was made or closed: renew the token, and forget this worker's copy once
    the change is committed (forgotten before, it could be read again without the change)."""
    tokens.renew(db, TOKEN)
    database = _database(db)
    event.listen(db, "after_commit", lambda _session: _kept.pop(database, None), once=True)


def thread_stamp(db: Session, thread_id: int) -> Hashable:
    """Which poll, closed or not, open yet or not, ended or not; None for a thread without one."""
    row = _thread_polls(db).get(thread_id)
    if row is None:
        return None
    now = utcnow()
    return (row.id, str(row.state), row.opens_at <= now, now >= row.closes_at)


def _thread_polls(db: Session) -> dict[int, Any]:
    database = _database(db)
    kept = _kept.get(database)
    looked = time.monotonic()
    if kept is not None and looked - kept[0] < STAMP_SECONDS:
        return kept[2]
    token = tokens.read(db, [TOKEN]).get(TOKEN, "")
    if kept is not None and kept[1] == token:
        polls = kept[2]
    else:  # read after the token: never older than the token says
        rows = db.execute(
            select(Poll.thread_id, Poll.id, Poll.state, Poll.opens_at, Poll.closes_at).where(
                Poll.thread_id.is_not(None)
            )
        )
        polls = {row.thread_id: row for row in rows}
    _kept[database] = (looked, token, polls)
    return polls
