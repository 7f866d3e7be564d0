"""Rate-limit counting, and the passwords' hashing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from grassroots.db import Database, utcnow
from grassroots.security import Limit, RateLimitEvent, count_event, seconds_until_allowed


def test_limit_counts_within_the_window_and_forgets_the_rest(database: Database) -> None:
    limit = Limit("test", 3, timedelta(minutes=10))
    with database.writing() as db:
        for _ in range(3):
            count_event(db, limit, "k")
        db.flush()
        assert seconds_until_allowed(db, limit, "k") > 500
        assert seconds_until_allowed(db, limit, "other") == 0
        db.execute(update(RateLimitEvent).values(at=utcnow() - timedelta(minutes=11)))
        assert seconds_until_allowed(db, limit, "k") == 0
        count_event(db, limit, "k")  # also forgets the expired three
        db.flush()
        assert db.scalar(select(func.count()).select_from(RateLimitEvent)) == 1
