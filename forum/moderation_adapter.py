"""How the moderation queue sees a forum post: what to show, where it lives, and what
publishing, hiding, rejecting or editing it means for the thread, the board counts, search and
the people waiting to hear of it; and the thread actions (lock, pin, feature, move, slow mode)
moderators take from a post."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grassroots.accounts.models import User
from grassroots.errors import FormInvalid
from grassroots.i18n import gettext as _
from grassroots.markup import plain_text
from grassroots.notifications import Notifier
from grassroots.numbers import to_int
from moderation.models import SlowMode
from moderation.registry import ExtraAction, ItemView

from . import posting, search
from .models import Board, ContentState, Post, Thread

SLOW_MODE_MINUTES = ("5", "15", "60", "240")
CONTEXT_CHARS = 200
NEARBY_FLOORS = 2


class PostAdapter:
    kind = posting.CONTENT_KIND

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier

    def describe(self, db: Session, item_id: int) -> ItemView | None:
        view = self.describe_many(db, [item_id]).get(item_id)
        if view is None:
            return None
        return replace(view, nearby=_nearby(db, db.get_one(Post, item_id)))

    def describe_many(self, db: Session, item_ids: Sequence[int]) -> dict[int, ItemView]:
        """A page of the queue in two queries: the posts with their threads and boards, then the
        posts they answer."""
        if not item_ids:
            return {}
        rows = db.execute(
            select(Post, Thread, Board.organization_id, Board.name, Board.members_only)
            .join(Thread, Thread.id == Post.thread_id)
            .join(Board, Board.id == Thread.board_id)
            .where(Post.id.in_(set(item_ids)), Post.state != ContentState.DELETED)
        ).all()
        parent_ids = {post.parent_id for post, *_ in rows if post.parent_id is not None}
        # Each post answered once, excerpted once: a page often holds many replies to one post.
        answered = (
            {p.id: _answering(p) for p in db.scalars(select(Post).where(Post.id.in_(parent_ids)))}
            if parent_ids
            else {}
        )
        return {
            post.id: _view(post, thread, answered.get(post.parent_id or 0), *board)
            for post, thread, *board in rows
        }

    def publish(self, db: Session, item_id: int) -> None:
        post = db.get_one(Post, item_id)
        if post.state is ContentState.VISIBLE:
            return
        was_held = post.state in (ContentState.HELD, ContentState.REJECTED)
        post.state, post.state_reason = ContentState.VISIBLE, ""
        if was_held:
            mentions = posting.known_mentions(db, post.body_source)
            posting.published(db, self.notifier, post, mentions=list(mentions.values()))
        else:  # unhidden: searchable again, already counted and announced
            posting.changed(db, post.thread_id)
            search.sync_post(db, post)

    def hide(self, db: Session, item_id: int, reason: str) -> None:
        self._withdraw(db, item_id, ContentState.HIDDEN, reason)

    def reject(self, db: Session, item_id: int, reason: str) -> None:
        self._withdraw(db, item_id, ContentState.REJECTED, reason)

    def _withdraw(self, db: Session, item_id: int, state: ContentState, reason: str) -> None:
        post = db.get_one(Post, item_id)
        if post.state is ContentState.DELETED:
            return
        post.state, post.state_reason = state, reason
        posting.changed(db, post.thread_id)
        search.unindex_post(db, post.id)

    def source(self, db: Session, item_id: int) -> str:
        return db.get_one(Post, item_id).body_source

    def edit(self, db: Session, item_id: int, text: str, editor_id: int) -> None:
        post = db.get_one(Post, item_id)
        thread = db.get_one(Thread, post.thread_id)
        text = posting.check_body(text)
        if text != post.body_source:
            posting.revise(db, post, thread, text=text, title=thread.title, editor_id=editor_id)
            search.sync_post(db, post)

    def actions(self, db: Session, item_id: int) -> list[ExtraAction]:
        thread = db.get_one(Thread, db.get_one(Post, item_id).thread_id)
        board = db.get_one(Board, thread.board_id)
        others = db.execute(
            select(Board.id, Board.name)
            .where(Board.organization_id == board.organization_id, Board.id != board.id)
            .order_by(Board.position, Board.id)
        ).all()
        slow = db.get(SlowMode, posting.container_of(thread.id))
        slow_label = (
            _("Slow mode (now one post every %(minutes)d minutes)", minutes=slow.minutes)
            if slow
            else _("Slow mode")
        )
        minutes = [(m, _("one post every %(minutes)s minutes", minutes=m)) for m in SLOW_MODE_MINUTES]
        found = [
            ExtraAction("unlock", _("Unlock the thread"))
            if thread.locked
            else ExtraAction("lock", _("Lock the thread")),
            ExtraAction("unpin", _("Unpin the thread"))
            if thread.pinned
            else ExtraAction("pin", _("Pin the thread")),
            ExtraAction("unfeature", _("Take out of the featured"))
            if thread.featured
            else ExtraAction("feature", _("Feature the thread (精华)")),
            ExtraAction("slow_mode", slow_label, (("0", _("off")), *minutes)),
        ]
        if others:
            found.append(ExtraAction("move", _("Move the thread to"), tuple((str(i), n) for i, n in others)))
        return found

    def perform(self, db: Session, item_id: int, name: str, choice: str) -> None:
        thread = db.get_one(Thread, db.get_one(Post, item_id).thread_id)
        if name in _THREAD_FLAGS:
            field, value = _THREAD_FLAGS[name]
            setattr(thread, field, value)
        elif name == "move":
            self._move(db, thread, choice)
        elif name == "slow_mode":
            self._slow_mode(db, thread, choice)
        else:
            raise FormInvalid({"action": _("There is no such action.")})
        posting.changed(db, thread.id)

    def _move(self, db: Session, thread: Thread, choice: str) -> None:
        board = db.get_one(Board, thread.board_id)
        number = to_int(choice)
        target = db.get(Board, number) if number is not None else None
        if target is None or target.organization_id != board.organization_id or target.id == board.id:
            raise FormInvalid({"choice": _("Choose another board of the same organization.")})
        visible = thread.state is ContentState.VISIBLE
        if visible:
            board.thread_count -= 1
            target.thread_count += 1
        thread.board_id = target.id
        search.reindex_board_of_thread(db, thread.id, target.id)

    def _slow_mode(self, db: Session, thread: Thread, choice: str) -> None:
        container = posting.container_of(thread.id)
        if choice == "0":
            db.execute(delete(SlowMode).where(SlowMode.container == container))
            return
        if choice not in SLOW_MODE_MINUTES:
            raise FormInvalid({"choice": _("Choose how often one may post.")})
        row = db.get(SlowMode, container) or SlowMode(container=container, minutes=0)
        row.minutes = int(choice)
        db.add(row)


_THREAD_FLAGS = {
    "lock": ("locked", True),
    "unlock": ("locked", False),
    "pin": ("pinned", True),
    "unpin": ("pinned", False),
    "feature": ("featured", True),
    "unfeature": ("featured", False),
}


def _answering(parent: Post) -> str:
    return _("Answering #%(floor)d: %(text)s", floor=parent.floor, text=_excerpt(parent))


def _view(
    post: Post, thread: Thread, answering: str | None, organization_id: int, place: str, members_only: bool
) -> ItemView:
    context = [thread.title] if answering is None else [thread.title, answering]
    return ItemView(
        organization_id=organization_id,
        author_id=post.author_id,
        title=thread.title,
        html=post.body_html,
        link=f"/forum/p/{post.id}",
        place=place,
        container=posting.container_of(thread.id),
        context=tuple(context),
        public=post.state is ContentState.VISIBLE
        and thread.state is ContentState.VISIBLE
        and not members_only,
    )


def _nearby(db: Session, post: Post) -> tuple[str, ...]:
    """The published posts just before and after it in the thread, by floor."""
    rows = db.execute(
        select(Post, User.display_name)
        .join(User, User.id == Post.author_id)
        .where(
            Post.thread_id == post.thread_id,
            Post.floor.between(post.floor - NEARBY_FLOORS, post.floor + NEARBY_FLOORS),
            Post.id != post.id,
            Post.state == ContentState.VISIBLE,
        )
        .order_by(Post.floor)
    ).all()
    return tuple(
        _("#%(floor)d %(name)s: %(text)s", floor=p.floor, name=name, text=_excerpt(p)) for p, name in rows
    )


def _excerpt(post: Post) -> str:
    text = plain_text(post.body_html) if post.state is ContentState.VISIBLE else ""
    return text[:CONTEXT_CHARS] + ("…" if len(text) > CONTEXT_CHARS else "")
