"""The moderation demo: newcomers' posts waiting, one post hidden by flags, one decision in the
public log and a few watched words, all made through the services."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from starlette.testclient import TestClient

from grassroots.cli import main
from grassroots.db import Database
from grassroots.settings import Settings
from moderation.models import Flag, ItemState, LogEntry, QueueItem, WatchedWord
from tests.conftest import log_in, page

DEMO = ["demo", "--password", "demo-pass-1", "--members", "8", "--residents", "4", "--held", "6"]


def test_demo_fills_the_queue_for_the_moderators(
    settings: Settings, database: Database, app: Any, capsys: Any
) -> None:
    assert main(DEMO, settings=settings) == 0
    printed = capsys.readouterr().out.splitlines()
    newcomers = [line.split() for line in printed if line.startswith("newcomer")]
    assert newcomers and all(role == "resident" for _name, role, _org in newcomers)
    with database.reading() as db:
        states = Counter(db.scalars(select(QueueItem.state)))
        reasons = Counter(db.scalars(select(QueueItem.reason).where(QueueItem.state == ItemState.PENDING)))
        assert states[ItemState.PENDING] == 7 and states[ItemState.APPROVED] == 1
        assert reasons["new_account"] == 6 and reasons["flagged"] == 1
        assert db.scalar(select(func.count()).select_from(Flag)) == 3
        assert db.scalar(select(func.count()).select_from(WatchedWord)) == 3
        assert list(db.scalars(select(LogEntry.action))) == ["approve"]

    # The street committee's secretary moderates every community below it.
    shuji = TestClient(app, follow_redirects=False)
    log_in(shuji, "shuji", "demo-pass-1")
    assert len(page(shuji.get("/moderation/")).select("input[name=item]")) == 7
    rows = page(TestClient(app).get("/moderation/log")).select("table.log tbody tr")
    assert len(rows) == 1 and "新居民的问题" in rows[0].text
