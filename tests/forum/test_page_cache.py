"""Anonymous readers get thread pages drawn once per change: every change shows at once."""

from __future__ import annotations

from forum import posting, solicitations
from forum.models import Post, Thread
from forum.moderation_adapter import PostAdapter
from grassroots.accounts.models import User
from grassroots.notifications import Notifier
from tests.conftest import QueryCounter, page
from tests.forum.conftest import Forum, new_reply, new_thread


def _bodies(client, thread_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    shown = page(client.get(f"/forum/t/{thread_id}"))
    return [li.get_text(" ", strip=True) for li in shown.select("li.post")]


def test_a_second_anonymous_read_skips_the_posts_queries(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    new_reply(database, thread, forum.resident, "第一条回复")
    client.get("/forum/")  # the first request of a process also loads its caches
    with QueryCounter(database) as first:
        client.get(f"/forum/t/{thread.id}?page=1")
    with QueryCounter(database) as second:
        again = client.get(f"/forum/t/{thread.id}?page=1")
    assert second.count < first.count
    assert "第一条回复" in again.text


def test_every_change_reaches_anonymous_readers_at_once(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    reply_id = new_reply(database, thread, forum.resident, "原来的话")
    assert "原来的话" in " ".join(_bodies(client, thread.id))

    new_reply(database, thread, forum.secretary, "新的回复")
    assert "新的回复" in " ".join(_bodies(client, thread.id))

    with database.writing() as db:
        posting.edit_post(
            db,
            Notifier(),
            post=db.get_one(Post, reply_id),
            editor=db.get_one(User, forum.resident.id),
            body="改过的话",
        )
    assert "改过的话" in " ".join(_bodies(client, thread.id))

    with database.writing() as db:
        posting.agree(db, post=db.get_one(Post, reply_id), user=db.get_one(User, forum.member.id))
    assert "1" in page(client.get(f"/forum/t/{thread.id}")).select_one("#floor-2 .agree-count").get_text()

    with database.writing() as db:
        PostAdapter(Notifier()).hide(db, reply_id, "不当")
    assert "改过的话" not in " ".join(_bodies(client, thread.id))

    with database.writing() as db:
        PostAdapter(Notifier()).publish(db, reply_id)
    assert "改过的话" in " ".join(_bodies(client, thread.id))

    with database.writing() as db:
        posting.delete_post(db, post=db.get_one(Post, reply_id), actor=db.get_one(User, forum.resident.id))
    assert "改过的话" not in " ".join(_bodies(client, thread.id))


def test_a_published_response_reaches_the_cached_opinions(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from forum.models import Board
    from grassroots.db import utcnow

    with database.writing() as db:
        thread = solicitations.open_solicitation(
            db,
            Notifier(),
            board=db.get_one(Board, forum.public.id),
            author=db.get_one(User, forum.secretary.id),
            title="征求意见",
            question="请提意见",
            deadline=utcnow() + timedelta(days=1),
        )
        thread_id = thread.id
    opinion = new_reply(database, thread, forum.resident, "一条意见")
    client.get(f"/forum/t/{thread_id}")
    with database.writing() as db:
        stored = db.get_one(Thread, thread_id)
        stored.deadline = utcnow() - timedelta(minutes=1)
        solicitations.publish_response(
            db,
            Notifier(),
            thread=stored,
            actor=db.get_one(User, forum.secretary.id),
            summary="已研究",
            decisions={opinion: solicitations.DecisionInput("adopted", "")},
        )
    assert page(client.get(f"/forum/t/{thread_id}")).select_one("#floor-2 .decision-adopted") is not None


def test_the_front_page_section_is_shared_by_anonymous_readers_for_a_few_seconds(
    client, database, forum: Forum
) -> None:  # type: ignore[no-untyped-def]
    from forum import pages

    new_thread(database, forum.public, forum.member, title="第一个主题")
    assert "第一个主题" in client.get("/o/branch-a/").text
    new_thread(database, forum.public, forum.member, title="第二个主题")
    site = client.app.state.site
    assert len(site.fragments) == 1
    assert "第二个主题" not in client.get("/o/branch-a/").text  # within the same few seconds
    site.fragments = type(site.fragments)(64 * 1024 * 1024, pages.FRONT_SECTION_SECONDS)
    assert "第二个主题" in client.get("/o/branch-a/").text
