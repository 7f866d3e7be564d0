"""How the moderation queue sees a forum post: what to show, where it lives, and what
publishing, hiding or rejecting it means for the thread, the board counts, search and the
people waiting to hear of it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from grassroots.notifications import Notifier
from moderation.registry import ItemView

from . import posting, search
from .models import Board, ContentState, Post, Thread


class PostAdapter:
    kind = posting.CONTENT_KIND

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier

    def describe(self, db: Session, item_id: int) -> ItemView | None:
        post = db.get(Post, item_id)
        if post is None:
            return None
        thread = db.get_one(Thread, post.thread_id)
        board = db.get_one(Board, thread.board_id)
        return ItemView(
            organization_id=board.organization_id,
            author_id=post.author_id,
            title=thread.title,
            html=post.body_html,
            link=f"/forum/p/{post.id}",
        )

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
