"""Who hears of a new post: the author of the post answered, the people it mentions, and those
who watch its thread or board. Each person is told once per post, for the closest reason."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grassroots.accounts.models import User
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier, notify, register_kind

from .models import Board, Post, Thread, Watch

REPLY = "forum.reply"
MENTION = "forum.mention"
WATCHED_THREAD = "forum.watched_thread"
WATCHED_BOARD = "forum.watched_board"
RESPONSE = "forum.response"

register_kind(
    REPLY, lambda actor, title: _("%(name)s answered your post in “%(title)s”", name=actor, title=title)
)
register_kind(
    MENTION, lambda actor, title: _("%(name)s mentioned you in “%(title)s”", name=actor, title=title)
)
register_kind(
    WATCHED_THREAD,
    lambda actor, title: _("%(name)s posted in “%(title)s”, which you follow", name=actor, title=title),
)
register_kind(
    WATCHED_BOARD,
    lambda actor, title: _("%(name)s started “%(title)s” on a board you follow", name=actor, title=title),
)
register_kind(
    RESPONSE, lambda actor, title: _("The organization published its response to “%(title)s”", title=title)
)


def post_link(post: Post) -> str:
    return f"/forum/p/{post.id}"


def post_published(
    db: Session, notifier: Notifier, *, post: Post, thread: Thread, board: Board, mentions: list[int]
) -> None:
    author = db.get_one(User, post.author_id)
    told: set[int] = {author.id}

    def tell(kind: str, user_ids: list[int]) -> None:
        fresh = [uid for uid in user_ids if uid not in told]
        told.update(fresh)
        notify(
            db, notifier, user_ids=fresh, kind=kind, actor=author, subject=thread.title, link=post_link(post)
        )

    if post.parent_id is not None:
        tell(REPLY, list(db.scalars(select(Post.author_id).where(Post.id == post.parent_id))))
    tell(MENTION, mentions)
    if post.floor == 1:
        tell(WATCHED_BOARD, list(db.scalars(select(Watch.user_id).where(Watch.board_id == board.id))))
    else:
        tell(WATCHED_THREAD, list(db.scalars(select(Watch.user_id).where(Watch.thread_id == thread.id))))


def mentioned(db: Session, notifier: Notifier, *, post: Post, thread: Thread, user_ids: list[int]) -> None:
    author = db.get_one(User, post.author_id)
    notify(
        db,
        notifier,
        user_ids=user_ids,
        kind=MENTION,
        actor=author,
        subject=thread.title,
        link=post_link(post),
    )


def _watched(user_id: int, thread_id: int | None, board_id: int | None) -> list[ColumnElement[bool]]:
    target = Watch.thread_id == thread_id if thread_id else Watch.board_id == board_id
    return [Watch.user_id == user_id, target]


def watch(db: Session, *, user_id: int, thread_id: int | None = None, board_id: int | None = None) -> None:
    """Follow a thread or a board; following twice is following."""
    if is_watching(db, user_id=user_id, thread_id=thread_id, board_id=board_id):
        return
    try:
        with db.begin_nested():
            db.add(Watch(user_id=user_id, thread_id=thread_id, board_id=board_id))
    except IntegrityError:
        pass


def unwatch(db: Session, *, user_id: int, thread_id: int | None = None, board_id: int | None = None) -> None:
    db.execute(delete(Watch).where(*_watched(user_id, thread_id, board_id)))


def is_watching(
    db: Session, *, user_id: int, thread_id: int | None = None, board_id: int | None = None
) -> bool:
    return db.scalar(select(Watch.id).where(*_watched(user_id, thread_id, board_id))) is not None
