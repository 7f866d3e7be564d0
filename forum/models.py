"""Tables of the forums: boards, threads, posts and their revisions, agreement, opinion
solicitations and their responses, watches and the search index."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grassroots.accounts.models import Organization, User
from grassroots.db import Base, UTCDateTime, text_enum, utcnow


class ThreadKind(enum.StrEnum):
    DISCUSSION = "discussion"
    SOLICITATION = "solicitation"


class ContentState(enum.StrEnum):
    """Where a post or thread stands with moderation. Only VISIBLE content is public and indexed;
    HELD content is shown to its author, awaiting review; DELETED is the author's own removal."""

    VISIBLE = "visible"
    HELD = "held"
    HIDDEN = "hidden"
    REJECTED = "rejected"
    DELETED = "deleted"


class Decision(enum.StrEnum):
    ADOPTED = "adopted"
    PARTLY = "partly"
    NOT_ADOPTED = "not_adopted"


class Board(Base):
    __tablename__ = "forum_boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    members_only: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    thread_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_post_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()


class BoardModerator(Base):
    """A moderator of the board's organization named to look after this board."""

    __tablename__ = "forum_board_moderators"
    __table_args__ = (UniqueConstraint("board_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("forum_boards.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship()


class Thread(Base):
    __tablename__ = "forum_threads"
    __table_args__ = (Index("ix_forum_threads_board_listing", "board_id", "pinned", "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("forum_boards.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[ThreadKind] = mapped_column(text_enum(ThreadKind), default=ThreadKind.DISCUSSION)
    state: Mapped[ContentState] = mapped_column(text_enum(ContentState), default=ContentState.VISIBLE)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    # Floors handed out so far: the next post takes floor post_count + 1.
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    # Raised by every change to what the thread's pages show: cached pages are keyed by it.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    board: Mapped[Board] = relationship()
    author: Mapped[User] = relationship()


class Post(Base):
    """One post. `sort_key` is the path of floors from the opening post down to this one, each
    floor a fixed-width base-36 segment, so ordering by it lays the thread out as a tree."""

    __tablename__ = "forum_posts"
    __table_args__ = (
        UniqueConstraint("thread_id", "floor"),
        Index("ix_forum_posts_thread_tree", "thread_id", "depth", "sort_key"),
        Index("ix_forum_posts_thread_agree", "thread_id", "agree_count"),
        Index("ix_forum_posts_author", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="SET NULL"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    floor: Mapped[int] = mapped_column(Integer)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    sort_key: Mapped[str] = mapped_column(String(512))
    state: Mapped[ContentState] = mapped_column(text_enum(ContentState), default=ContentState.VISIBLE)
    state_reason: Mapped[str] = mapped_column(Text, default="")
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    agree_count: Mapped[int] = mapped_column(Integer, default=0)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    edit_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread: Mapped[Thread] = relationship()
    author: Mapped[User] = relationship()


class PostRevision(Base):
    """A post's text as it was before an edit (and the thread's title, for an opening post)."""

    __tablename__ = "forum_post_revisions"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120), default="")
    body_source: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Agreement(Base):
    """One 赞同 per person per post."""

    __tablename__ = "forum_agreements"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SolicitationResponse(Base):
    """The organization's published answer to a solicitation, with the counts as they stood."""

    __tablename__ = "forum_solicitation_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"), unique=True)
    summary_source: Mapped[str] = mapped_column(Text)
    summary_html: Mapped[str] = mapped_column(Text)
    participants: Mapped[int] = mapped_column(Integer)
    opinions: Mapped[int] = mapped_column(Integer)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    thread: Mapped[Thread] = relationship()


class OpinionDecision(Base):
    """What the organization decided about one opinion of a solicitation, and why."""

    __tablename__ = "forum_opinion_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("forum_solicitation_responses.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), unique=True)
    decision: Mapped[Decision] = mapped_column(text_enum(Decision))
    reason: Mapped[str] = mapped_column(Text, default="")


class Watch(Base):
    """A person follows a thread or a board (exactly one of the two)."""

    __tablename__ = "forum_watches"
    __table_args__ = (
        UniqueConstraint("user_id", "thread_id"),
        UniqueConstraint("user_id", "board_id"),
        Index("ix_forum_watches_thread", "thread_id"),
        Index("ix_forum_watches_board", "board_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("forum_boards.id", ondelete="CASCADE"))


class SearchEntry(Base):
    """A visible post's words as the search splits them (forum/search.py). On PostgreSQL an
    expression index over to_tsvector('simple', terms) answers queries; on SQLite the same terms
    are copied into an FTS5 table (forum_search_fts, made by the migration)."""

    __tablename__ = "forum_search"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("forum_boards.id", ondelete="CASCADE"), index=True)
    terms: Mapped[str] = mapped_column(Text)
