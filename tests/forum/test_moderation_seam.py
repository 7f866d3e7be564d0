"""The forum calls moderation's screening hook and honours what it says; the adapter it
registers lets the queue publish, hide and reject posts without the forum changing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.models import Board, ContentState, Post, SearchEntry, Thread
from forum.moderation_adapter import PostAdapter
from grassroots.notifications import Notification, Notifier
from moderation import registry, screening
from moderation.screening import Blocked, Outcome, Screening
from tests.conftest import log_in, page, submit
from tests.forum.conftest import Forum, new_reply, new_thread


@pytest.fixture
def hold_everything(monkeypatch: pytest.MonkeyPatch) -> list[screening.Submission]:
    seen: list[screening.Submission] = []

    def hold(db, submission):  # type: ignore[no-untyped-def]
        seen.append(submission)
        return Screening(Outcome.HOLD, submission.text, submission.title, reason="新账号的帖子需审核。")

    monkeypatch.setattr(screening, "screen", hold)
    return seen


def test_held_posts_wait_unseen_and_unindexed_until_approved(database, forum: Forum, hold_everything) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member, title="待审核的主题", body="停车位的问题")
    assert (
        hold_everything[0].kind == "forum.post"
        and hold_everything[0].organization_id == forum.world.branch_a.id
    )
    with database.reading() as db:
        stored = db.get_one(Thread, thread.id)
        assert stored.state is ContentState.HELD
        assert db.scalar(select(SearchEntry.post_id)) is None
        assert db.get_one(Board, forum.public.id).thread_count == 0
        opening = db.scalar(select(Post.id).where(Post.thread_id == thread.id))
    adapter = PostAdapter(Notifier())
    with database.writing() as db:
        adapter.publish(db, opening)
    with database.reading() as db:
        assert db.get_one(Thread, thread.id).state is ContentState.VISIBLE
        assert db.scalar(select(SearchEntry.post_id)) == opening
        assert db.get_one(Board, forum.public.id).thread_count == 1
        view = adapter.describe(db, opening)
    assert view is not None and view.link == f"/forum/p/{opening}" and view.title == "待审核的主题"


def test_hidden_posts_leave_a_placeholder_and_the_index(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    reply_id = new_reply(database, thread, forum.resident, "不当言论")
    adapter = registry.adapter_for("forum.post")
    with database.writing() as db:
        adapter.hide(db, reply_id, "人身攻击")
    shown = page(client.get(f"/forum/t/{thread.id}"))
    assert "不当言论" not in shown.text
    assert shown.select_one("#floor-2 .placeholder") is not None
    with database.reading() as db:
        assert reply_id not in set(db.scalars(select(SearchEntry.post_id)))


def test_a_held_reply_tells_nobody_until_published(database, forum: Forum, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    monkeypatch.setattr(screening, "screen", lambda db, s: Screening(Outcome.HOLD, s.text, s.title))
    reply_id = new_reply(database, thread, forum.resident, "回复楼主")
    with database.reading() as db:
        assert db.scalar(select(Notification.id)) is None
    with database.writing() as db:
        PostAdapter(Notifier()).publish(db, reply_id)
    with database.reading() as db:
        assert [n.user_id for n in db.scalars(select(Notification))] == [forum.member.id]


def test_blocked_text_is_refused_with_the_reason_and_kept(
    client, database, forum: Forum, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)

    def block(db, submission):  # type: ignore[no-untyped-def]
        raise Blocked("内容含有不允许的词语。")

    monkeypatch.setattr(screening, "screen", block)
    log_in(client, "resident")
    response = submit(
        client, f"/forum/t/{thread.id}", f"/forum/t/{thread.id}/reply", {"body": "原样保留的文字"}
    )
    assert response.status_code == 422
    shown = page(response)
    assert "内容含有不允许的词语。" in shown.select_one(".error-summary").get_text()
    assert shown.select_one("textarea[name=body]").get_text() == "原样保留的文字"
