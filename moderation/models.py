"""Tables of moderation: the settings of each organization, watched words, the queue, flags,
the public log of moderator actions, sanctions, appeals and slow mode. Content is known only by
its kind (an adapter's name) and id: moderation knows nothing of forums."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grassroots.db import Base, UTCDateTime, text_enum, utcnow


class WordAction(enum.StrEnum):
    BLOCK = "block"
    HOLD = "hold"
    REPLACE = "replace"


class HoldReason(enum.StrEnum):
    """Why an item is in the queue."""

    NEW_ACCOUNT = "new_account"
    WATCHED_WORD = "watched_word"
    LINK = "link"
    FLAGGED = "flagged"
    RESUBMITTED = "resubmitted"  # changed by its author after a hold or a rejection


class ItemState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    HIDDEN = "hidden"


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    ILLEGAL = "illegal"
    OTHER = "other"


class SanctionKind(enum.StrEnum):
    WARNING = "warning"
    SUSPENSION = "suspension"


class AppealState(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the decision stands
    OVERTURNED = "overturned"


class OrgRules(Base):
    """An organization's own numbers; an organization without a row uses the defaults."""

    __tablename__ = "moderation_org_rules"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    held_first_posts: Mapped[int] = mapped_column(Integer, default=3)
    flag_threshold: Mapped[int] = mapped_column(Integer, default=3)


class Standing(Base):
    """How many of a person's items in an organization were published: below the
    organization's held_first_posts, their new items wait for a moderator."""

    __tablename__ = "moderation_standing"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    published: Mapped[int] = mapped_column(Integer, default=0)


class WatchedWord(Base):
    __tablename__ = "moderation_watched_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(100))  # as the admin typed it
    folded: Mapped[str] = mapped_column(String(100), unique=True)  # as it is matched
    action: Mapped[WordAction] = mapped_column(text_enum(WordAction))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QueueItem(Base):
    """One item of content waiting for, or decided by, a moderator. An item has one row; a new
    hold or flag after a decision opens it again."""

    __tablename__ = "moderation_queue"
    __table_args__ = (
        UniqueConstraint("kind", "item_id"),
        # What waits, grouped (queue.waiting), read from the index alone.
        Index("ix_moderation_queue_open", "state", "organization_id", "place", "reason", "created_at"),
        # A page of the queue, oldest first, without sorting every item that waits.
        Index("ix_moderation_queue_waiting", "state", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int] = mapped_column(Integer)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    place: Mapped[str] = mapped_column(String(60), default="")  # e.g. the board, for the filter
    # None for content written without an account (an objection to a disclosure, a letter).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[HoldReason] = mapped_column(text_enum(HoldReason))
    detail: Mapped[str] = mapped_column(Text, default="")  # what the author was told
    state: Mapped[ItemState] = mapped_column(text_enum(ItemState), default=ItemState.PENDING)
    # Raised by every decision: a moderator's form carries it, so a second decision on the
    # same item from a stale page is told it was already handled.
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class Flag(Base):
    __tablename__ = "moderation_flags"
    __table_args__ = (UniqueConstraint("kind", "item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[FlagReason] = mapped_column(text_enum(FlagReason))
    note: Mapped[str] = mapped_column(Text, default="")
    by_moderator: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved: Mapped[bool] = mapped_column(default=False)  # the flagger was told the outcome


class LogEntry(Base):
    """The public log: every moderator action, what it touched, by which role, and why."""

    __tablename__ = "moderation_log"
    __table_args__ = (Index("ix_moderation_log_org", "organization_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40), default="")  # the content's kind, or "user"
    item_id: Mapped[int | None] = mapped_column(Integer)
    link: Mapped[str] = mapped_column(String(200), default="")
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(16))  # moderator, secretary or admin: never the name
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Sanction(Base):
    __tablename__ = "moderation_sanctions"
    __table_args__ = (Index("ix_moderation_sanctions_user", "user_id", "kind", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    kind: Mapped[SanctionKind] = mapped_column(text_enum(SanctionKind))
    reason: Mapped[str] = mapped_column(Text)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # suspensions only
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Appeal(Base):
    """A person asks once for a rejection (a queue item) or a suspension (a sanction) to be
    looked at again, by someone other than who decided it."""

    __tablename__ = "moderation_appeals"
    __table_args__ = (UniqueConstraint("subject", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))  # "item" or "sanction"
    subject_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    first_decider_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[AppealState] = mapped_column(text_enum(AppealState), default=AppealState.OPEN)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SlowMode(Base):
    """At most one post per person per `minutes` in a container (e.g. a thread)."""

    __tablename__ = "moderation_slow_modes"

    container: Mapped[str] = mapped_column(String(60), primary_key=True)  # "forum.thread:12"
    minutes: Mapped[int] = mapped_column(Integer)


class LastPost(Base):
    """When a person last posted in a slowed container."""

    __tablename__ = "moderation_last_posts"

    container: Mapped[str] = mapped_column(String(60), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
