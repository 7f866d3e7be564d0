"""The forums' demo data: boards, threads with nested replies, solicitations open and answered,
all made through the services; and the bulk mode, whose rows must look exactly as if the
services had made them (floors, sort keys, depths, counters, the search index)."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from forum import search
from forum.models import (
    Board,
    BoardModerator,
    ContentState,
    OpinionDecision,
    Post,
    SearchEntry,
    SolicitationResponse,
    Thread,
    ThreadKind,
)
from forum.posting import floor_segment
from grassroots.accounts.models import User
from grassroots.audit import AuditEntry
from grassroots.cli import main
from grassroots.db import Database, utcnow
from grassroots.notifications import Notification
from grassroots.settings import Settings

DEMO = ["demo", "--password", "demo-pass-1", "--members", "8", "--residents", "4"]


def _consistent(db: Session) -> None:
    """Every post, thread and board as forum/posting.py would have left them."""
    posts = {p.id: p for p in db.scalars(select(Post))}
    children = Counter(p.parent_id for p in posts.values() if p.parent_id is not None)
    for post in posts.values():
        assert post.reply_count == children[post.id], post.id
        if post.floor == 1:
            assert post.parent_id is None and post.depth == 0 and post.sort_key == floor_segment(1)
        else:
            parent = posts[post.parent_id]  # type: ignore[index]
            assert parent.thread_id == post.thread_id
            assert post.depth == parent.depth + 1
            assert post.sort_key == parent.sort_key + floor_segment(post.floor)
            assert post.created_at >= parent.created_at
    # Counters follow what was published (a hidden post keeps its place, as a placeholder), the
    # index what is shown; the moderation demo's newcomers wait, counted nowhere yet.
    shown = {i: p for i, p in posts.items() if p.state is ContentState.VISIBLE}
    counted = {i for i, p in posts.items() if p.state in (ContentState.VISIBLE, ContentState.HIDDEN)}
    by_thread: dict[int, list[Post]] = {}
    for post in posts.values():
        by_thread.setdefault(post.thread_id, []).append(post)
    threads = list(db.scalars(select(Thread)))
    assert {t.id for t in threads} == set(by_thread)
    for thread in threads:
        mine = by_thread[thread.id]
        assert sorted(p.floor for p in mine) == list(range(1, thread.post_count + 1)), thread.id
        visible = [p for p in mine if p.id in counted]
        assert thread.reply_count == len(visible) - 1
        assert thread.last_post_at == max(p.created_at for p in visible)
    for board in db.scalars(select(Board)):
        in_board = [t for t in threads if t.board_id == board.id]
        assert board.thread_count == len(in_board), board.slug
        assert board.post_count == sum(1 for t in in_board for p in by_thread[t.id] if p.id in counted)
        if in_board:
            assert board.last_post_at == max(t.last_post_at for t in in_board)
    assert set(db.scalars(select(SearchEntry.post_id))) == set(shown)
    if db.get_bind().dialect.name == "sqlite":
        assert db.scalar(text("SELECT count(*) FROM forum_search_fts")) == len(shown)


def _all_boards(db: Session) -> list[int]:
    return list(db.scalars(select(Board.id)))


def test_default_demo_makes_boards_threads_and_solicitations(
    settings: Settings, database: Database, capsys
) -> None:  # type: ignore[no-untyped-def]
    assert main(DEMO, settings=settings) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert all(len(line.split(" ")) == 3 for line in lines[1:])  # accounts, one a line
    with database.reading() as db:
        boards = {b.slug: b for b in db.scalars(select(Board))}
        assert {"yangguang-yishi", "heping-bianmin", "yangguang-1-zhibu"} <= set(boards)
        assert boards["yangguang-1-zhibu"].members_only and not boards["yangguang-yishi"].members_only
        moderators = db.scalars(
            select(User.username)
            .join(BoardModerator, BoardModerator.user_id == User.id)
            .where(BoardModerator.board_id == boards["yangguang-yishi"].id)
        ).all()
        assert moderators == ["yg_banzhu"]
        assert all(b.thread_count >= 1 for b in boards.values())
        assert db.scalar(select(func.max(Post.depth))) >= 2
        assert db.scalar(select(func.count()).select_from(Post)) >= 100

        now = utcnow()
        solicitations = list(db.scalars(select(Thread).where(Thread.kind == ThreadKind.SOLICITATION)))
        open_ones = [t for t in solicitations if t.deadline and t.deadline > now]
        answered = [t for t in solicitations if t.deadline and t.deadline < now]
        assert len(open_ones) == 1 and len(answered) == 1
        assert (
            db.scalar(select(SolicitationResponse).where(SolicitationResponse.thread_id == open_ones[0].id))
            is None
        )
        response = db.scalars(
            select(SolicitationResponse).where(SolicitationResponse.thread_id == answered[0].id)
        ).one()
        decisions = list(
            db.scalars(select(OpinionDecision).where(OpinionDecision.response_id == response.id))
        )
        assert len(decisions) == response.opinions == 4
        assert {d.decision.value for d in decisions} == {"adopted", "partly", "not_adopted"}
        assert all(d.reason for d in decisions if d.decision.value != "adopted")
        actions = Counter(db.scalars(select(AuditEntry.action)))
        assert actions["forum.solicitation.open"] == 2 and actions["forum.solicitation.respond"] == 1

        # Made through the services: people are told of replies, mentions and the response.
        kinds = Counter(db.scalars(select(Notification.kind)))
        assert kinds["forum.reply"] > 0 and kinds["forum.response"] > 0
        shuji = db.scalars(select(User).where(User.username == "yg_shuji")).one()
        assert db.scalar(
            select(func.count()).where(Notification.user_id == shuji.id, Notification.kind == "forum.mention")
        )
        _consistent(db)
        assert search.search(db, "电梯", board_ids=_all_boards(db)).total > 0
    assert main(["audit", "verify"], settings=settings) == 0


def test_scaled_demo_adds_consistent_threads_in_bulk(settings: Settings, database: Database, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main([*DEMO, "--threads", "3", "--posts-per-thread", "20"], settings=settings) == 0
    capsys.readouterr()
    with database.reading() as db:
        bulk = list(db.scalars(select(Thread).order_by(Thread.id.desc()).limit(3)))
        bulk_ids = [t.id for t in bulk]
        assert all(t.post_count == 20 and t.reply_count == 19 for t in bulk)
        bulk_posts = list(db.scalars(select(Post).where(Post.thread_id.in_(bulk_ids))))
        assert len(bulk_posts) == 60
        # Nothing else was added: every other post belongs to the small set's threads.
        assert db.scalar(select(func.count()).select_from(Post)) == db.scalar(
            select(func.sum(Thread.post_count))
        )
        assert max(p.depth for p in bulk_posts) >= 2
        assert all(60 <= len(p.body_source) <= 400 for p in bulk_posts)
        _consistent(db)

        # Their text is found by search: a two-character word out of one of them.
        post = max(bulk_posts, key=lambda p: p.floor)
        word = re.findall(r"[\u4e00-\u9fff]{2}", post.body_source)[0]
        found = search.matching_post_ids(db, word, board_ids=_all_boards(db), limit=100_000)
        assert post.id in found
        assert search.search(db, word, board_ids=_all_boards(db)).total > 0
    # The sequences moved past the ids given: the services can write after a bulk load.
    assert main(["audit", "verify"], settings=settings) == 0
    with database.writing() as db:
        from forum import posting
        from grassroots.notifications import Notifier

        thread = db.get_one(Thread, bulk_ids[0])
        author = db.scalars(select(User).where(User.username == "yg_banzhu")).one()
        reply = posting.reply(db, Notifier(), thread=thread, parent_id=None, author=author, body="新的回复。")
        assert reply.floor == 21 and reply.id > max(p.id for p in bulk_posts)
