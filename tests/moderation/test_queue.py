"""The queue's decisions, flags, appeals, thread actions and the public log, through the pages;
and two moderators deciding the same item at the same moment."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from forum.models import Board, ContentState, Thread
from grassroots.audit import AuditEntry
from grassroots.db import Database
from grassroots.errors import Conflict
from grassroots.notifications import Notifier
from moderation import queue
from moderation.models import QueueItem
from tests.conftest import field_error, make_user, page, submit
from tests.forum.conftest import new_reply, new_thread
from tests.moderation.conftest import Moderation, act, as_user, decide, newest_post, queue_item, reply_as


def flag(client, post_id: int, reason: str = "abuse", note: str = ""):  # type: ignore[no-untyped-def]
    where = f"/moderation/flag?kind=forum.post&id={post_id}"
    return submit(
        client,
        where,
        "/moderation/flag",
        {"kind": "forum.post", "id": str(post_id), "reason": reason, "note": note},
    )


def test_flags_hide_a_post_at_the_threshold_and_flaggers_learn_the_outcome(
    app: Any, client: Any, database: Database, mod: Moderation
) -> None:
    from tests.conftest import Role

    thread = new_thread(database, mod.forum.public, mod.forum.member)
    target = new_reply(database, thread, mod.forum.member, "一句难听的话")
    flaggers = ["resident", "outsider"]
    make_user(database, "resident2", role=Role.RESIDENT, org=mod.forum.world.branch_a)
    flaggers.append("resident2")
    own = flag(as_user(app, "member"), target)
    assert own.status_code == 409
    for number, name in enumerate(flaggers):
        who = as_user(app, name)
        assert flag(who, target).status_code == 200
        hidden = number == len(flaggers) - 1
        assert flag(who, target).status_code == (404 if hidden else 409)  # once per person
        assert ("一句难听的话" in client.get(f"/forum/t/{thread.id}").text) is not hidden
    other = flag(
        as_user(app, "resident"), new_reply(database, thread, mod.forum.member, "另一句"), reason="other"
    )
    assert other.status_code == 400 and field_error(other, "note")
    moderator = as_user(app, "moderator")
    item = queue_item(database, target)
    assert item is not None and item.reason == "flagged"
    assert decide(moderator, item, "hide", "人身攻击").status_code == 200
    assert (
        "the post was removed" in as_user(app, "resident").get("/me/notifications").text
        or "已被移除" in as_user(app, "resident").get("/me/notifications").text
    )


def test_a_moderators_flag_hides_at_once(app: Any, client: Any, database: Database, mod: Moderation) -> None:
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    target = new_reply(database, thread, mod.forum.member, "广告广告")
    assert flag(as_user(app, "moderator"), target, "spam").status_code == 200
    assert "广告广告" not in client.get(f"/forum/t/{thread.id}").text


def test_reject_with_reason_then_edit_resubmits_and_one_appeal_goes_to_another_moderator(
    app: Any, client: Any, database: Database, mod: Moderation
) -> None:
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    newcomer = as_user(app, "newcomer")
    reply_as(newcomer, thread.id, "我的第一条帖子")
    post = newest_post(database)
    moderator = as_user(app, "moderator")
    item = queue_item(database, post.id)
    assert item is not None
    empty = decide(moderator, item, "reject", "  ")
    assert empty.status_code == 400 and field_error(empty, "reason")
    assert decide(moderator, item, "reject", "与本版主题无关").status_code == 200
    mine = newcomer.get(f"/forum/t/{thread.id}").text
    assert "与本版主题无关" in mine and "我的第一条帖子" in mine  # nothing they wrote is lost
    stale = decide(moderator, item, "approve")  # the version the form carried is gone
    assert "already been handled" in stale.text or "已被其他版主处理" in stale.text
    appeal_page = f"/moderation/appeal?kind=forum.post&id={post.id}"
    sent = submit(
        newcomer,
        appeal_page,
        "/moderation/appeal",
        {"kind": "forum.post", "id": str(post.id), "text": "请再看看"},
    )
    assert sent.status_code == 200
    again = submit(
        newcomer,
        appeal_page,
        "/moderation/appeal",
        {"kind": "forum.post", "id": str(post.id), "text": "再来"},
    )
    assert again.status_code == 409
    assert "请再看看" not in moderator.get("/moderation/appeals").text  # not to who decided
    second = as_user(app, "moderator2")
    assert "请再看看" in second.get("/moderation/appeals").text
    with database.reading() as db:
        from moderation.models import Appeal

        appeal_id = db.scalar(select(Appeal.id))
    refused = submit(
        moderator,
        "/moderation/",
        "/moderation/appeals",
        {"appeal": str(appeal_id), "overturn": "1", "reason": "我同意"},
    )
    assert refused.status_code == 403
    granted = submit(
        second,
        "/moderation/appeals",
        "/moderation/appeals",
        {"appeal": str(appeal_id), "overturn": "1", "reason": "确实相关"},
    )
    assert granted.status_code == 200
    assert "我的第一条帖子" in client.get(f"/forum/t/{thread.id}").text
    # An edit of a held post goes back to the queue, never past it.
    reply_as(newcomer, thread.id, "第二条")
    held = newest_post(database)
    submit(
        newcomer,
        f"/forum/p/{held.id}/edit",
        f"/forum/p/{held.id}/edit",
        {"body": "第二条，改过", "action": "publish"},
    )
    assert newest_post(database).state is ContentState.HELD


def test_thread_actions_are_logged_publicly_and_audited(
    app: Any, client: Any, database: Database, mod: Moderation
) -> None:
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    opening = newest_post(database)
    moderator = as_user(app, "moderator")
    for what in ("lock", "pin", "feature"):
        assert act(moderator, opening.id, what, reason="重要通知").status_code == 200
    assert (
        act(moderator, opening.id, "move", choice=str(mod.forum.members.id), reason="移到支部版").status_code
        == 200
    )
    missing = act(moderator, opening.id, "unlock", reason="")
    assert missing.status_code == 400 and field_error(missing, "reason")
    with database.reading() as db:
        stored = db.get_one(Thread, thread.id)
        assert stored.locked and stored.pinned and stored.featured and stored.board_id == mod.forum.members.id
        assert db.get_one(Board, mod.forum.members.id).thread_count == 1
        audited = db.scalars(select(AuditEntry.action).where(AuditEntry.action == "moderation.action")).all()
    assert len(audited) == 4
    shown = page(client.get("/moderation/log")).get_text()
    assert "移到支部版" in shown
    assert "member" not in shown  # roles, not names
    assert reply_as(as_user(app, "member"), thread.id, "还能回复吗").status_code in (403, 409)


def test_the_queue_is_for_moderators_of_the_items_organization(
    app: Any, client: Any, database: Database, mod: Moderation
) -> None:
    from tests.conftest import Role

    make_user(database, "other-mod", role=Role.MODERATOR, org=mod.forum.world.branch_b)
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    reply_as(as_user(app, "newcomer"), thread.id, "新人的话")
    item = queue_item(database, newest_post(database).id)
    assert item is not None
    other = as_user(app, "other-mod")
    assert "新人的话" not in other.get("/moderation/").text
    assert decide(other, item, "approve").status_code == 404
    gone = submit(other, "/moderation/", "/moderation/decide", {"item": "99999:1", "decision": "approve"})
    assert gone.status_code == 404
    assert as_user(app, "member").get("/moderation/").status_code == 403
    assert client.get("/moderation/log").status_code == 200
    filtered = as_user(app, "moderator").get("/moderation/?reason=flagged").text
    assert "新人的话" not in filtered


def test_two_moderators_deciding_at_once_one_wins(database: Database, mod: Moderation) -> None:
    if database.write_engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers; SQLite has one writer at a time")
    thread = new_thread(database, mod.forum.public, mod.forum.member)
    with database.writing() as db:
        from moderation.models import HoldReason

        post = new_reply(database, thread, mod.forum.member, "待审")
    with database.writing() as db:
        item = queue.enqueue(db, kind="forum.post", item_id=post, organization_id=mod.forum.world.branch_a.id,
                             author_id=mod.forum.member.id, place="", reason=HoldReason.FLAGGED)  # fmt: skip
        item_id, version = item.id, item.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide_as(user_id: int, decision: queue.Decision) -> None:
        from grassroots.accounts.models import User

        try:
            with database.writing() as db:
                barrier.wait()
                queue.decide(
                    db,
                    Notifier(),
                    item=db.get_one(QueueItem, item_id),
                    seen_version=version,
                    decision=decision,
                    moderator=db.get_one(User, user_id),
                    reason="并发",
                )
            outcomes.append("done")
        except Conflict:
            outcomes.append("conflict")

    workers = [
        threading.Thread(target=decide_as, args=(mod.forum.moderator.id, queue.Decision.APPROVE)),
        threading.Thread(target=decide_as, args=(mod.second_moderator.id, queue.Decision.HIDE)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["conflict", "done"]
