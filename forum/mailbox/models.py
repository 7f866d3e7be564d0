"""Tables of the secretary mailbox: letters, their history, attachments, and each
organization's reply deadline and holidays."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grassroots.db import Base, UTCDateTime, text_enum, utcnow


class Category(enum.StrEnum):
    SUGGESTION = "suggestion"
    QUESTION = "question"
    HELP = "help"
    COMPLAINT = "complaint"
    PROBLEM = "problem"


class Status(enum.StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # for information from the writer: the clock is paused
    REPLIED = "replied"
    CLOSED = "closed"
    CLOSED_UNSOLVED = "closed_unsolved"
    DECLINED = "declined"


class Rating(enum.StrEnum):
    SATISFIED = "satisfied"
    BASIC = "basic"
    UNSATISFIED = "unsatisfied"


class Publication(enum.StrEnum):
    NONE = "none"
    HELD = "held"  # waiting for a moderator
    PUBLIC = "public"
    HIDDEN = "hidden"


class EventKind(enum.StrEnum):
    WRITTEN = "written"
    STATUS = "status"
    REPLY = "reply"
    WRITER_MESSAGE = "writer_message"
    NOTE = "note"  # internal: never shown to the writer
    TRANSFER = "transfer"
    EXTENSION = "extension"
    RATING = "rating"
    REOPEN = "reopen"
    PUBLISHED = "published"


class Letter(Base):
    __tablename__ = "mailbox_letters"
    __table_args__ = (
        Index("ix_mailbox_letters_org_status_created", "organization_id", "status", "created_at"),
        Index("ix_mailbox_letters_status_due", "status", "due_at"),
        # Covers what the statistics read, so a month is counted from the index alone.
        Index(
            "ix_mailbox_letters_org_month",
            "organization_id",
            "month",
            "reply_seconds",
            "replied_on_time",
            "solved",
            "rating",
            "first_replied_at",
        ),
        Index("ix_mailbox_letters_publication", "publication", "organization_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[Category] = mapped_column(text_enum(Category), index=True)
    subject: Mapped[str] = mapped_column(String(120))
    body_source: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200), default="")
    redact_names: Mapped[str] = mapped_column(String(400), default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    # Nothing identifies the writer of an anonymous letter: no account, no address.
    writer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[Status] = mapped_column(text_enum(Status), default=Status.RECEIVED)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The month received, in the organization's time zone ("2026-11"): statistics group by it.
    month: Mapped[str] = mapped_column(String(7))
    # Deadline: counted from `clock_start` in working days; None while the clock is paused.
    clock_start: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reply_days: Mapped[int] = mapped_column(Integer, default=5)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_on_time: Mapped[bool | None] = mapped_column(Boolean)
    reply_seconds: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[Rating | None] = mapped_column(text_enum(Rating))
    solved: Mapped[bool | None] = mapped_column(Boolean)
    reopened: Mapped[bool] = mapped_column(Boolean, default=False)
    publication: Mapped[Publication] = mapped_column(text_enum(Publication), default=Publication.NONE)
    public_subject: Mapped[str] = mapped_column(String(120), default="")
    public_body_html: Mapped[str] = mapped_column(Text, default="")
    public_reply_html: Mapped[str] = mapped_column(Text, default="")
    public_text: Mapped[str] = mapped_column(Text, default="")  # plain, for search
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class LetterEvent(Base):
    """One step of a letter's history. Internal events (notes) are never shown to the writer."""

    __tablename__ = "mailbox_events"
    __table_args__ = (Index("ix_mailbox_events_letter", "letter_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("mailbox_letters.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(text_enum(EventKind))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    # None for the writer (who may be anonymous) and the system.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    by_writer: Mapped[bool] = mapped_column(Boolean, default=False)
    old_status: Mapped[str] = mapped_column(String(16), default="")
    new_status: Mapped[str] = mapped_column(String(16), default="")
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(Base):
    """A file sent with a letter, stored under a random name in the data directory."""

    __tablename__ = "mailbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("mailbox_letters.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)


class MailboxSettings(Base):
    """An organization's promise: how many working days a reply may take."""

    __tablename__ = "mailbox_settings"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    reply_days: Mapped[int] = mapped_column(Integer, default=5)


class Holiday(Base):
    """A day that is not a working day for the organization and every organization below it."""

    __tablename__ = "mailbox_holidays"
    __table_args__ = (UniqueConstraint("organization_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(40), default="")
