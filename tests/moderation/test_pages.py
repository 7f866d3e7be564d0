"""The moderator's pages beyond decisions: the queue's query count, the item page's context,
unhide and edit through the item page, the header link, and times in the organization's zone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from forum.models import ContentState, Post, PostRevision
from grassroots.accounts.models import Organization
from grassroots.audit import AuditEntry
from grassroots.db import Database
from moderation.models import LogEntry
from tests.conftest import QueryCounter, field_error, page
from tests.forum.conftest import new_reply, new_thread
from tests.moderation.conftest import Moderation, act, as_user, decide, newest_post, queue_item, reply_as


def _hold(app: Any, database: Database, mod: Moderation, count: int) -> None:
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    newcomer = as_user(app, "newcomer")
    for number in range(count):
        assert reply_as(newcomer, thread.id, f"新人的第{number}条帖子").status_code == 303


def test_the_queue_page_asks_the_same_queries_for_three_items_or_twelve(
    app: Any, database: Database, mod: Moderation
) -> None:
    moderator = as_user(app, "moderator")
    counts = []
    for more in (3, 9):
        _hold(app, database, mod, more)
        moderator.get("/moderation/")
        with QueryCounter(database) as counter:
            shown = page(moderator.get("/moderation/"))
        counts.append(counter.count)
        assert len(shown.select("input[name=item]")) == (3 if more == 3 else 12)
    assert counts[0] == counts[1], counts


def test_the_item_page_shows_the_posts_around_it_and_the_time_in_the_organizations_zone(
    app: Any, database: Database, mod: Moderation
) -> None:
    thread = new_thread(database, mod.forum.public, mod.forum.member, body="开头的话")
    new_reply(database, thread, mod.forum.member, "第二楼说停车")
    reply_as(as_user(app, "newcomer"), thread.id, "新人插一句")
    held = newest_post(database)
    new_reply(database, thread, mod.forum.member, "第四楼说路灯")
    new_reply(database, thread, mod.forum.member, "第六楼太远了")
    new_reply(database, thread, mod.forum.member, "第七楼更远")
    with database.writing() as db:  # through the ORM, so the cached organization tree is renewed
        for org in db.scalars(select(Organization)):
            org.timezone = "Asia/Urumqi"
    shown = page(as_user(app, "moderator").get(f"/moderation/item?kind=forum.post&id={held.id}"))
    nearby = [li.get_text() for li in shown.select("ul.nearby li")]
    assert any("第二楼说停车" in line for line in nearby) and any("第四楼说路灯" in line for line in nearby)
    assert not any("第七楼更远" in line for line in nearby)  # only two floors either side
    author = shown.find(string=lambda s: s and "newcomer" in s)
    assert author is not None
    created = mod.newcomer.created_at  # "account since", in the organization's zone
    # Urumqi is six hours ahead of UTC, Shanghai eight.
    assert f"{(created.hour + 6) % 24:02d}:{created.minute:02d}" in shown.get_text()


def test_hide_then_unhide_from_the_item_page_brings_the_post_back(
    app: Any, client: Any, database: Database, mod: Moderation
) -> None:
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    post_id = new_reply(database, thread, mod.forum.member, "一条普通的回复")
    moderator = as_user(app, "moderator")
    assert act(moderator, post_id, "hide", reason="先看看").status_code == 200
    assert "一条普通的回复" not in client.get(f"/forum/t/{thread.id}").text
    item = queue_item(database, post_id)
    assert item is not None and item.state == "hidden"
    assert decide(moderator, item, "unhide", "").status_code == 200  # unhiding needs no reason
    assert "一条普通的回复" in client.get(f"/forum/t/{thread.id}").text
    with database.reading() as db:
        assert db.get_one(Post, post_id).state is ContentState.VISIBLE
        actions = list(db.scalars(select(LogEntry.action).order_by(LogEntry.id)))
    assert actions == ["hide", "unhide"]
    stale = decide(moderator, item, "unhide", "")  # the version seen before: handled already
    assert stale.status_code == 200 and "1 项已被其他版主处理" in stale.text


def test_a_moderators_edit_is_kept_as_a_revision_and_needs_a_reason(
    app: Any, client: Any, database: Database, mod: Moderation
) -> None:
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    post_id = new_reply(database, thread, mod.forum.member, "我的电话是13812345678，有事打给我")
    moderator = as_user(app, "moderator")
    no_reason = act(moderator, post_id, "edit", text="有事请私信我", reason="")
    assert no_reason.status_code == 400 and field_error(no_reason, "reason")
    assert "有事请私信我" in no_reason.text  # what the moderator typed is kept
    assert act(moderator, post_id, "edit", text="有事请私信我", reason="去掉电话号码").status_code == 200
    thread_page = client.get(f"/forum/t/{thread.id}").text
    assert "有事请私信我" in thread_page and "13812345678" not in thread_page
    with database.reading() as db:
        revisions = list(db.scalars(select(PostRevision).where(PostRevision.post_id == post_id)))
        assert revisions and "13812345678" in revisions[0].body_source
        logged = db.scalars(select(LogEntry).where(LogEntry.action == "edit")).one()
        assert logged.reason == "去掉电话号码"
        assert db.scalar(select(AuditEntry.id).where(AuditEntry.action == "moderation.action"))


def test_moderators_find_the_queue_in_the_header_and_others_do_not(app: Any, mod: Moderation) -> None:
    def header_links(username: str) -> list[str]:
        shown = page(as_user(app, username).get("/me"))
        return [a["href"] for a in shown.select("nav.account-nav a")]

    assert "/moderation/" in header_links("moderator")
    assert "/moderation/" in header_links("secretary")
    assert "/moderation/" not in header_links("member")
    assert "/moderation/" not in header_links("newcomer")


def test_a_thread_action_with_a_bad_choice_says_so_beside_the_choice_and_keeps_the_reason(
    app: Any, database: Database, mod: Moderation
) -> None:
    new_thread(database, mod.forum.public, mod.forum.member)
    opening = newest_post(database)
    moderator = as_user(app, "moderator")
    refused = act(moderator, opening.id, "slow_mode", **{"choice-slow_mode": "7"}, reason="吵得太凶")
    assert refused.status_code == 400 and field_error(refused, "choice-slow_mode")
    shown = page(refused)
    assert shown.select_one("#f-thread-reason")["value"] == "吵得太凶"
    assert shown.select_one("input[name=what][value=slow_mode]").has_attr("checked")
    assert (
        act(moderator, opening.id, "slow_mode", **{"choice-slow_mode": "15"}, reason="吵得太凶").status_code
        == 200
    )
