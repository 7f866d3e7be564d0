"""Screening through the pages: new accounts, watched words, links, slow mode, suspensions."""

from __future__ import annotations

from typing import Any

from forum.models import ContentState
from grassroots.db import Database
from moderation import rules
from tests.conftest import field_error, page, submit
from tests.forum.conftest import new_thread
from tests.moderation.conftest import Moderation, act, as_user, decide, newest_post, queue_item, reply_as


def add_word(admin_client, word: str, action: str):  # type: ignore[no-untyped-def]
    return submit(admin_client, "/moderation/words", "/moderation/words", {"word": word, "action": action})


def test_a_new_accounts_first_posts_wait_for_a_moderator(
    client: Any, app: Any, database: Database, mod: Moderation
) -> None:
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    newcomer = as_user(app, "newcomer")
    moderator = as_user(app, "moderator")
    for number in range(3):
        response = reply_as(newcomer, thread.id, f"第{number}条：楼道灯坏了")
        assert response.status_code == 303, response.text
        post = newest_post(database)
        assert post.state is ContentState.HELD
        assert "楼道灯坏了" in newcomer.get(f"/forum/t/{thread.id}").text  # the author sees it...
        assert (
            "awaiting review" in newcomer.get(f"/forum/t/{thread.id}").text.lower()
            or "待审核" in newcomer.get(f"/forum/t/{thread.id}").text
        )
        assert f"第{number}条" not in client.get(f"/forum/t/{thread.id}").text  # ...the public does not
        item = queue_item(database, post.id)
        assert item is not None and item.reason == "new_account"
        assert f"第{number}条" in moderator.get("/moderation/").text
        assert decide(moderator, item, "approve").status_code == 200
        assert f"第{number}条" in client.get(f"/forum/t/{thread.id}").text
    reply_as(newcomer, thread.id, "第四条：现在直接发布")
    assert newest_post(database).state is ContentState.VISIBLE


def test_watched_words_block_hold_and_replace_whatever_the_disguise(
    app: Any, client: Any, database: Database, mod: Moderation
) -> None:
    admin = as_user(app, "root-admin")
    assert add_word(admin, "测试", "hold").status_code == 303
    assert add_word(admin, "spam", "block").status_code == 303
    assert add_word(admin, "傻瓜", "replace").status_code == 303
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    member = as_user(app, "member")
    reply_as(member, thread.id, "这是测\u200b试内容")
    held = newest_post(database)
    assert held.state is ContentState.HELD and "测试" in held.state_reason
    refused = reply_as(member, thread.id, "Buy ＳＰＡＭ now, 我的长长的回复")
    assert refused.status_code == 422
    assert "我的长长的回复" in refused.text and "spam" in refused.text  # the text is kept, the word named
    reply_as(member, thread.id, "我们讨论 testing 和 spammer 的区别")  # Latin words match whole words only
    assert newest_post(database).state is ContentState.VISIBLE
    reply_as(member, thread.id, "你这个傻瓜")
    replaced = newest_post(database)
    assert (
        replaced.state is ContentState.VISIBLE
        and "＊＊" in replaced.body_source
        and "傻瓜" not in replaced.body_source
    )


def test_watched_words_reject_empty_and_take_metacharacters_literally(
    app: Any, client: Any, database: Database, mod: Moderation
) -> None:
    admin = as_user(app, "root-admin")
    empty = add_word(admin, "  \u200b ", "block")
    assert empty.status_code == 400 and field_error(empty, "word")
    assert add_word(admin, ".*", "block").status_code == 303
    assert add_word(admin, "[a-z]+", "hold").status_code == 303
    again = add_word(admin, ".*", "hold")
    assert again.status_code == 400 and field_error(again, "word")
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    member = as_user(app, "member")
    assert reply_as(member, thread.id, "普通的一句话 abc").status_code == 303
    assert newest_post(database).state is ContentState.VISIBLE
    assert reply_as(member, thread.id, "这里有 .* 符号").status_code == 422
    assert as_user(app, "member").get("/moderation/words").status_code == 403  # admins only


def test_links_from_new_accounts_wait(app: Any, client: Any, database: Database, mod: Moderation) -> None:
    with database.writing() as db:
        rules.set_numbers(db, mod.forum.world.branch_a.id, held_first_posts=0, flag_threshold=3)
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    newcomer = as_user(app, "newcomer")
    reply_as(newcomer, thread.id, "没有链接的话")
    assert newest_post(database).state is ContentState.VISIBLE
    reply_as(newcomer, thread.id, "看这里 https://example.com/ad")
    held = newest_post(database)
    assert held.state is ContentState.HELD and queue_item(database, held.id).reason == "link"  # type: ignore[union-attr]


def test_slow_mode_spaces_a_persons_posts_and_keeps_the_text(
    app: Any, client: Any, database: Database, mod: Moderation
) -> None:
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    opening = newest_post(database)
    moderator = as_user(app, "moderator")
    assert act(moderator, opening.id, "slow_mode", choice="15", reason="讨论太激烈").status_code == 200
    member = as_user(app, "member")
    assert reply_as(member, thread.id, "第一条").status_code == 303
    second = reply_as(member, thread.id, "第二条，很长的意见")
    assert second.status_code == 422 and "第二条，很长的意见" in second.text and "15" in second.text
    assert reply_as(as_user(app, "resident"), thread.id, "别人的第一条").status_code == 303


def test_a_suspended_person_reads_but_does_not_post(
    app: Any, client: Any, database: Database, mod: Moderation
) -> None:
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    opening = newest_post(database)
    moderator = as_user(app, "moderator")
    done = act(moderator, opening.id, "suspend", username="resident", reason="多次人身攻击", days="3")
    assert done.status_code == 200, done.text
    resident = as_user(app, "resident")
    assert resident.get(f"/forum/t/{thread.id}").status_code == 200
    refused = reply_as(resident, thread.id, "我想说的话")
    assert refused.status_code == 422 and "多次人身攻击" in refused.text and "我想说的话" in refused.text
    # Nobody sanctions someone of their own rank or above.
    for target in ("root-admin", "secretary", "moderator2"):
        response = act(moderator, opening.id, "suspend", username=target, reason="试试", days="3")
        assert response.status_code == 403, target
    empty = act(moderator, opening.id, "warn", username="resident", reason="  ")
    assert empty.status_code == 400 and field_error(empty, "reason")
    notices = resident.get("/me/notifications").text
    assert "多次人身攻击" in notices
    assert "多次人身攻击" in page(client.get("/moderation/log")).get_text()
