"""Disclosure fixtures: a secretary of the first branch, a member, and helpers that publish
through the pages as the secretary would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from grassroots.accounts.models import Role, User
from grassroots.db import Database
from tests.conftest import World, log_in, make_user, submit

NOTICE = {
    "title": "关于社区停车位收费调整的决议",
    "category": "decision",
    "body": "经党委会研究决定，**每月每位 150 元**。",
}
POST = {
    "title": "第一支部组织委员",
    "duties": "负责党员发展、组织生活。",
    "requirements": "正式党员，党龄三年以上。",
    "seats": "1",
    "nomination_opens": "2026-12-01",
    "nomination_closes": "2026-12-20",
    "status": "open",
}
CANDIDATE = {
    "title": "第一支部组织委员候选人",
    "name": "王秀兰",
    "biography": "1975 年生，2001 年入党。",
    "statement": "做好组织生活。",
    "timeline": "2015–2020 第一支部宣传委员\n2020– 社区网格员",
    "nominated_how": "党员推荐，12 人推荐",
    "review": "资格审查通过",
}


@pytest.fixture(autouse=True)
def token_read_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each worker reads the cache token at most once a second when answering from memory; the
    tests read it on every request, so what a test changes shows at once (test_memory.py tests
    the second)."""
    monkeypatch.setattr("disclosure.cache.STAMP_SECONDS", 0.0)


@dataclass
class Desk:
    world: World
    secretary: User
    member: User


@pytest.fixture
def desk(database: Database, world: World) -> Desk:
    secretary = make_user(database, "secretary", role=Role.SECRETARY, org=world.branch_a)
    member = make_user(database, "member", role=Role.MEMBER, org=world.branch_a)
    return Desk(world, secretary, member)


def signed_in(app: Any, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    log_in(client, username)
    return client


def publish(
    client: TestClient, kind: str, fields: dict[str, str], org: str = "branch-a", **extra: str
) -> Any:
    where = f"/disclosure/new?kind={kind}&org={org}"
    return submit(client, where, "/disclosure/new", {**fields, **extra, "kind": kind, "org": org})


def published_id(response: Any) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("/")[3])
