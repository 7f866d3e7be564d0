"""Moderation fixtures: the forum's board and people, plus a newcomer with no standing and a
second moderator, and helpers to post and to act through the pages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from forum.models import Post
from grassroots.accounts.models import Role, User
from grassroots.db import Database
from moderation.models import QueueItem
from tests.conftest import log_in, make_user, submit
from tests.forum.conftest import Forum, forum  # noqa: F401  (the fixture, used by name)


@dataclass
class Moderation:
    forum: Forum
    newcomer: User
    second_moderator: User


@pytest.fixture
def mod(database: Database, forum: Forum) -> Moderation:  # noqa: F811
    newcomer = make_user(database, "newcomer", role=Role.RESIDENT, org=forum.world.branch_a)
    second = make_user(database, "moderator2", role=Role.MODERATOR, org=forum.world.branch_a)
    return Moderation(forum, newcomer, second)


def as_user(app, username: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    log_in(client, username)
    return client


def reply_as(client: TestClient, thread_id: int, body: str):  # type: ignore[no-untyped-def]
    return submit(
        client,
        f"/forum/t/{thread_id}/reply",
        f"/forum/t/{thread_id}/reply",
        {"body": body, "action": "publish"},
    )


def newest_post(database: Database) -> Post:
    with database.reading() as db:
        post = db.scalars(select(Post).order_by(Post.id.desc()).limit(1)).one()
        db.expunge(post)
        return post


def queue_item(database: Database, post_id: int) -> QueueItem | None:
    with database.reading() as db:
        item = db.scalar(
            select(QueueItem).where(QueueItem.kind == "forum.post", QueueItem.item_id == post_id)
        )
        if item is not None:
            db.expunge(item)
        return item


def decide(client: TestClient, item: QueueItem, decision: str, reason: str = ""):  # type: ignore[no-untyped-def]
    return submit(
        client,
        "/moderation/",
        "/moderation/decide",
        {"item": f"{item.id}:{item.version}", "decision": decision, "reason": reason},
    )


def act(client: TestClient, post_id: int, what: str, **fields: str):  # type: ignore[no-untyped-def]
    where = f"/moderation/item?kind=forum.post&id={post_id}"
    return submit(client, where, where, {"what": what, **fields})
