"""Tables of polls.

As with elections, who took part (`voting_poll_participations`) and what was chosen
(`voting_poll_ballots`) share no column and neither holds a time; a ballot's key is random.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grassroots.db import Base, UTCDateTime, text_enum, utcnow


class PollKind(enum.StrEnum):
    SINGLE = "single"  # one choice
    MULTIPLE = "multiple"  # up to max_choices
    RANKED = "ranked"  # a rank for each option, counted by `method`


class Method(enum.StrEnum):
    """How a ranked poll is counted."""

    SCHULZE = "schulze"
    IRV = "irv"
    STV = "stv"


class Voters(enum.StrEnum):
    MEMBERS = "members"  # members of the poll's organization (or above it)
    SIGNED_IN = "signed_in"  # everyone with an account


class Shown(enum.StrEnum):
    AFTER_VOTING = "after_voting"  # to each person once they have voted, and to all at close
    AT_CLOSE = "at_close"


class PollState(enum.StrEnum):
    OPEN = "open"  # taking votes between opens_at and closes_at
    CLOSED = "closed"


class Poll(Base):
    __tablename__ = "voting_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # The forum thread that carries it, by id only: the forum owns its tables.
    thread_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    question: Mapped[str] = mapped_column(String(300))
    options: Mapped[str] = mapped_column(Text)  # JSON list of the options' text, in order
    kind: Mapped[PollKind] = mapped_column(text_enum(PollKind))
    max_choices: Mapped[int] = mapped_column(Integer, default=1)
    method: Mapped[Method | None] = mapped_column(text_enum(Method))  # ranked polls only
    seats: Mapped[int] = mapped_column(Integer, default=1)
    voters: Mapped[Voters] = mapped_column(text_enum(Voters))
    shown: Mapped[Shown] = mapped_column(text_enum(Shown))
    state: Mapped[PollState] = mapped_column(text_enum(PollState), default=PollState.OPEN)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result: Mapped[str] = mapped_column(Text, default="")  # JSON, fixed at close


class PollParticipation(Base):
    """That a person has voted: the primary key is what stops a second ballot."""

    __tablename__ = "voting_poll_participations"

    poll_id: Mapped[int] = mapped_column(ForeignKey("voting_polls.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class PollBallot(Base):
    """What was chosen: no voter, no time, a random key."""

    __tablename__ = "voting_poll_ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("voting_polls.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(Text)  # canonical JSON: {"choices": [...]} or {"ranks": [...]}
