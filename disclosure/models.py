"""Tables of the disclosure area. A disclosure's content lives in its revisions, each one whole:
the disclosure row holds what lists need (title, dates, state, counts) and points at its latest
revision, so nothing is edited where the public cannot see the earlier text."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grassroots.db import Base, UTCDateTime, text_enum, utcnow


class Kind(enum.StrEnum):
    POST = "post"  # a vacant post, 空缺职位
    CANDIDATE = "candidate"  # a candidate profile, 候选人简介
    NOTICE = "notice"  # an open-affairs notice, 公告


class State(enum.StrEnum):
    PUBLISHED = "published"  # shown from publish_at on (until expires_at, when set)
    WITHDRAWN = "withdrawn"  # its pages say when, by which role and why; the text stays in history


class Disclosure(Base):
    __tablename__ = "disclosures"
    __table_args__ = (
        Index("ix_disclosures_listing", "state", "publish_at"),
        Index("ix_disclosures_org_kind", "organization_id", "kind", "publish_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    kind: Mapped[Kind] = mapped_column(text_enum(Kind))
    state: Mapped[State] = mapped_column(text_enum(State), default=State.PUBLISHED)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")  # plain text, for lists and feeds
    category: Mapped[str] = mapped_column(String(16), default="")  # a notice's; a post's status
    # A candidate stands for a vacant post; a vacant post may later name the election filling it.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("disclosures.id", ondelete="SET NULL"))
    election_id: Mapped[int | None] = mapped_column(Integer)
    revision_count: Mapped[int] = mapped_column(Integer, default=0)
    current_revision_id: Mapped[int | None] = mapped_column(Integer)
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publicity_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 公示期 ends
    objections_received: Mapped[int] = mapped_column(Integer, default=0)
    objections_handled: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_role: Mapped[str] = mapped_column(String(16), default="")
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")


class Revision(Base):
    """One whole version: the fields as typed (JSON), and their Markdown rendered once."""

    __tablename__ = "disclosure_revisions"
    __table_args__ = (UniqueConstraint("disclosure_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosures.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    fields: Mapped[str] = mapped_column(Text)  # canonical JSON of the kind's fields
    rendered: Mapped[str] = mapped_column(Text, default="{}")  # JSON: field name -> safe HTML
    note: Mapped[str] = mapped_column(Text, default="")  # why it changed, shown in the history
    editor_role: Mapped[str] = mapped_column(String(16))  # secretary or admin: never the name
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ObjectionState(enum.StrEnum):
    HELD = "held"  # waits for moderation's screening
    RECEIVED = "received"
    HANDLED = "handled"


class Objection(Base):
    """An objection (异议) lodged during a publicity period. Anyone may lodge one; the contact
    is optional and shown only to the organization's secretary."""

    __tablename__ = "disclosure_objections"
    __table_args__ = (Index("ix_disclosure_objections_disclosure", "disclosure_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosures.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[ObjectionState] = mapped_column(text_enum(ObjectionState), default=ObjectionState.RECEIVED)
    response: Mapped[str] = mapped_column(Text, default="")  # how it was handled, published
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
