"""Poll fixtures: the forum's branch with its boards and people, and helpers to make polls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from grassroots.accounts.models import User
from grassroots.db import utcnow
from grassroots.threads import ThreadRef
from tests.forum.conftest import Forum, forum, new_thread  # noqa: F401  (fixtures)
from voting.polls import polls
from voting.polls.models import Poll

FORM = {
    "question": "小区停车难，您支持哪个方案？",
    "options": "增建立体车库\n错峰共享单位车位\n清理僵尸车",
    "kind": "single",
    "voters": "members",
    "shown": "after_voting",
}


def closes_in(days: float = 7) -> str:
    return (utcnow() + timedelta(days=days)).isoformat(timespec="minutes")


def make_poll(db: Session, branch: Forum, actor: User, thread: ThreadRef | None = None, **typed: Any) -> Poll:
    where = polls.Where(branch.world.branch_a.id, "Asia/Shanghai", thread)
    return polls.create_poll(db, actor=actor, where=where, typed={**FORM, "closes_at": closes_in(), **typed})
