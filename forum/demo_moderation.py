"""The forum's demo of moderated content: newcomers whose first posts wait in the queue, a post
hidden by flags, a decision in the public log, and a few watched words. Everything goes through
the services the site uses, so the queue shows what a moderator would meet. `held` asks for that
many waiting posts in all (the queue benchmark asks for ten thousand)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from grassroots.accounts.models import Membership, Organization, Role, User
from grassroots.demo import DemoAccount, chinese_name
from grassroots.notifications import Notifier
from moderation import flags, queue, registry, rules
from moderation.models import FlagReason, WordAction

from . import posting
from .models import Board, ContentState, Post, Thread
from .moderation_adapter import PostAdapter

SMALL_HELD = 4
POSTS_PER_NEWCOMER = 5
PROGRESS_EVERY = 2000
WATCHED_WORDS = (("代开发票", WordAction.BLOCK), ("传销", WordAction.HOLD), ("傻逼", WordAction.REPLACE))
NEWCOMER_LINES = (
    "我刚搬来小区，想问一下{topic}的事情找谁办理？",
    "新人报到。关于{topic}，我们楼有几户邻居也很关心，能不能在群里通报一下进展？",
    "{topic}这个问题拖了很久了，希望社区尽快给个说法。",
    "支持！{topic}的事我愿意出一份力，需要志愿者的话请联系我。",
    "请问{topic}有没有书面的通知？老人看手机不方便。",
    "我整理了{topic}相关的政策链接：https://www.gov.cn/zhengce/ 大家可以参考。",
)
FLAGGED_TEXT = "加微信领福利，代办各类证件，价格从优，私聊！"


def load(
    db: Session,
    notifier: Notifier,
    boards: Sequence[Board],
    *,
    held: int = SMALL_HELD,
    seed: int = 20261201,
    progress: Callable[[str], None] | None = None,
) -> list[DemoAccount]:
    """Watched words, one approved newcomer, `held` waiting posts and one hidden by flags.
    Returns the newcomers' accounts."""
    rng = random.Random(seed)
    registry.register(PostAdapter(notifier))  # as create_app does: the demo runs without the site
    public = [b for b in boards if not b.members_only]
    threads = _open_threads(db, public)
    if not threads:
        return []
    staff = {u.username: u for u in db.scalars(select(User).where(User.username.in_(("admin", "shuji"))))}
    for word, action in WATCHED_WORDS:
        rules.add_word(db, actor=staff["admin"], word=word, action=action)
    newcomers = _newcomers(db, public, max(2, -(-(held + 1) // POSTS_PER_NEWCOMER)))
    approved = _write(db, notifier, rng, threads, newcomers[0][0], 1)[0]
    _approve(db, notifier, approved, staff["shuji"])
    for i in range(held):
        author = newcomers[i // POSTS_PER_NEWCOMER % len(newcomers)][0]
        _write(db, notifier, rng, threads, author, 1)
        if progress and (i + 1) % PROGRESS_EVERY == 0:
            progress(f"moderation demo: {i + 1:,} of {held:,} posts waiting")
    _flag_spam(db, notifier, threads[0])
    slugs = dict(db.execute(select(Organization.id, Organization.slug)).all())
    return [DemoAccount(u.username, "resident", slugs[org_id]) for u, org_id in newcomers]


def _open_threads(db: Session, boards: Sequence[Board]) -> list[Thread]:
    board_ids = [b.id for b in boards]
    query = (
        select(Thread)
        .where(Thread.board_id.in_(board_ids), Thread.state == ContentState.VISIBLE, Thread.locked.is_(False))
        .where(Thread.deadline.is_(None))
        .order_by(Thread.id)
        .limit(40)
    )
    return list(db.scalars(query))


def _newcomers(db: Session, boards: Sequence[Board], count: int) -> list[tuple[User, int]]:
    """Residents who registered today: moderation holds their first posts."""
    password_hash = db.scalar(select(User.password_hash).where(User.username == "admin")) or ""
    width = max(2, len(str(count)))
    names = [f"newcomer{i:0{width}d}" for i in range(1, count + 1)]
    db.execute(
        insert(User),
        [
            {"username": n, "display_name": chinese_name(200_009 + i), "password_hash": password_hash}
            for i, n in enumerate(names)
        ],
    )
    users = list(db.scalars(select(User).where(User.username.in_(names)).order_by(User.id)))
    orgs = sorted({b.organization_id for b in boards})
    placed = [(user, orgs[i % len(orgs)]) for i, user in enumerate(users)]
    db.execute(
        insert(Membership),
        [{"user_id": u.id, "organization_id": org_id, "role": Role.RESIDENT} for u, org_id in placed],
    )
    return placed


def _write(
    db: Session, notifier: Notifier, rng: random.Random, threads: list[Thread], author: User, count: int
) -> list[Post]:
    written = []
    for _ in range(count):
        thread = rng.choice(threads)
        topic = thread.title[:12]
        body = rng.choice(NEWCOMER_LINES).format(topic=topic)
        written.append(posting.reply(db, notifier, thread=thread, parent_id=None, author=author, body=body))
    return written


def _approve(db: Session, notifier: Notifier, post: Post, moderator: User) -> None:
    item = queue.item_for_content(db, posting.CONTENT_KIND, post.id)
    if item is None:
        return
    queue.decide(
        db, notifier, item=item, seen_version=item.version, decision=queue.Decision.APPROVE,
        moderator=moderator, reason="新居民的问题，内容正常。",
    )  # fmt: skip


def _flag_spam(db: Session, notifier: Notifier, thread: Thread) -> None:
    """An advertisement by a long-standing account, published at once, then flagged by three
    members and so hidden until a moderator looks."""
    people = list(
        db.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.role.in_((Role.MEMBER, Role.RESIDENT)), ~User.username.like("newcomer%"))
            .order_by(User.id)
            .limit(rules.DEFAULT_FLAG_THRESHOLD + 1)
        )
    )
    if len(people) <= rules.DEFAULT_FLAG_THRESHOLD:
        return
    author, *flaggers = people[::-1]
    post = posting.reply(db, notifier, thread=thread, parent_id=None, author=author, body=FLAGGED_TEXT)
    for flagger in flaggers:
        flags.flag(
            db, kind=posting.CONTENT_KIND, item_id=post.id, user=flagger, reason=FlagReason.SPAM, note=""
        )
