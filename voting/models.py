"""Tables of elections.

Secrecy is in the shape of the tables: who took part (`voting_participations`) and what was
voted (`voting_ballots`) share no column, and neither holds a time or an order. A ballot's key
is random, so row ids say nothing about when it was cast. The public ballot chain
(`voting_chain`) is in casting order but holds only commitments, which name no voter and
reveal no marks.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grassroots.db import Base, UTCDateTime, text_enum, utcnow


class Phase(enum.StrEnum):
    DRAFT = "draft"
    NOMINATION = "nomination"
    REVIEW = "review"
    PUBLICITY = "publicity"
    VOTING = "voting"
    CLOSED = "closed"
    TALLIED = "tallied"
    PUBLISHED = "published"


PHASES = list(Phase)


def reached(election: Election, phase: Phase) -> bool:
    """Whether the election is in `phase` or past it (the phases' own order, not the names')."""
    return PHASES.index(election.phase) >= PHASES.index(phase)


class Election(Base):
    __tablename__ = "voting_elections"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    # The vacant post in the disclosure area, by id only: disclosure owns its tables.
    post_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(Integer)
    rules: Mapped[str] = mapped_column(Text)  # canonical JSON of voting.rules.Rules
    rules_hash: Mapped[str] = mapped_column(String(64))
    public_recommendation: Mapped[bool] = mapped_column(Boolean, default=False)  # 公推
    self_nomination: Mapped[bool] = mapped_column(Boolean, default=False)  # 自荐
    # Whether a receipt finds its ballot's marks in the published list. Off, the list holds no
    # receipts and the voter gets no nonce, so a receipt shown to a coercer proves nothing about
    # how its holder voted; the voter can then check only that their commitment is in the chain.
    receipt_shows_ballot: Mapped[bool] = mapped_column(Boolean, default=True)
    nominations_each: Mapped[int] = mapped_column(Integer)
    nomination_days: Mapped[int] = mapped_column(Integer)
    publicity_days: Mapped[int] = mapped_column(Integer)
    voting_minutes: Mapped[int] = mapped_column(Integer)
    phase: Mapped[Phase] = mapped_column(text_enum(Phase), default=Phase.DRAFT)
    nomination_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publicity_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voting_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expected: Mapped[int] = mapped_column(Integer, default=0)  # 应到会, fixed with the roll
    roll_hash: Mapped[str] = mapped_column(String(64), default="")
    chain_length: Mapped[int] = mapped_column(Integer, default=0)
    chain_head: Mapped[str] = mapped_column(String(64), default="")
    ballots_hash: Mapped[str] = mapped_column(String(64), default="")  # of the published list
    result: Mapped[str] = mapped_column(Text, default="")  # JSON of voting.tally.Result
    # A re-vote between the tied, or a further round for the seats left (voting.rounds): the
    # election it follows, which has at most one next round.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("voting_elections.id", ondelete="CASCADE"), unique=True
    )
    round: Mapped[int] = mapped_column(Integer, default=1)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the result's, for the feed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Nomination(Base):
    """One person recommending another. Counts are shown once the window has ended."""

    __tablename__ = "voting_nominations"
    __table_args__ = (UniqueConstraint("election_id", "nominator_id", "nominee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(
        ForeignKey("voting_elections.id", ondelete="CASCADE"), index=True
    )
    nominator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    nominee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")  # why: the secretary reads it at review


class Candidate(Base):
    """A nominee under review, and once qualified, a name on the ballot."""

    __tablename__ = "voting_candidates"
    __table_args__ = (UniqueConstraint("election_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(
        ForeignKey("voting_elections.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    nominations: Mapped[int] = mapped_column(Integer, default=0)
    qualified: Mapped[bool | None] = mapped_column(Boolean)  # None until reviewed
    accepted: Mapped[bool | None] = mapped_column(Boolean)  # the nominee's own answer; None until given
    review_note: Mapped[str] = mapped_column(Text, default="")
    profile_id: Mapped[int | None] = mapped_column(Integer)  # the disclosure's candidate profile
    position: Mapped[int] = mapped_column(Integer, default=0)  # on the ballot, stroke order


class RollEntry(Base):
    """The voter roll, frozen when voting opens. An excluded person is not expected (应到会)
    for the recorded reason, yet may still attend and vote."""

    __tablename__ = "voting_roll"

    election_id: Mapped[int] = mapped_column(
        ForeignKey("voting_elections.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    excluded_reason: Mapped[str] = mapped_column(Text, default="")


class CheckIn(Base):
    """签到: the voter is present. No time, so the order of arrival is not kept."""

    __tablename__ = "voting_checkins"

    election_id: Mapped[int] = mapped_column(
        ForeignKey("voting_elections.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Participation(Base):
    """That a voter has voted: the primary key is what stops a second ballot."""

    __tablename__ = "voting_participations"

    election_id: Mapped[int] = mapped_column(
        ForeignKey("voting_elections.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Ballot(Base):
    """What was voted: no voter, no time, a random key."""

    __tablename__ = "voting_ballots"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    election_id: Mapped[int] = mapped_column(
        ForeignKey("voting_elections.id", ondelete="CASCADE"), index=True
    )
    receipt: Mapped[str] = mapped_column(String(40), unique=True)
    content: Mapped[str] = mapped_column(Text)  # canonical JSON: marks and write-ins


class ChainLink(Base):
    """One commitment in the public ballot chain."""

    __tablename__ = "voting_chain"
    __table_args__ = (UniqueConstraint("election_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("voting_elections.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    prev: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Step(enum.StrEnum):
    """The acts a second official must confirm."""

    OPEN = "open"
    CLOSE = "close"
    PUBLISH = "publish"


class Confirmation(Base):
    """A step one official asked for, waiting for a second to confirm it."""

    __tablename__ = "voting_confirmations"
    __table_args__ = (UniqueConstraint("election_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("voting_elections.id", ondelete="CASCADE"))
    step: Mapped[Step] = mapped_column(text_enum(Step))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
