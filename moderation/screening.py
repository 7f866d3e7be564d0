"""The screening hook: content that can be moderated calls `screen` when it is written or
edited, and honours the answer. Moderation knows nothing of what the content is.

Until watched words, new-account holds and slow mode arrive (the moderation issue), every text
is published as written; callers must already handle HELD and Blocked, so nothing in them
changes when the rules do.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy.orm import Session

from grassroots.errors import DomainError


class Outcome(enum.StrEnum):
    PUBLISH = "publish"
    HOLD = "hold"


@dataclass(frozen=True)
class Submission:
    """What is about to be published: which kind of content (an adapter's kind), where, by whom."""

    kind: str
    organization_id: int
    author_id: int
    text: str
    title: str = ""
    container_id: int | None = None  # e.g. the thread a post goes into, for slow mode
    is_edit: bool = False


@dataclass(frozen=True)
class Screening:
    outcome: Outcome
    text: str  # the text to store: watched words may have been replaced
    title: str = ""
    reason: str = ""  # told to the author when the text is held


class Blocked(DomainError):
    """The text may not be published at all; the message tells the author why."""

    status_code = 422


def screen(db: Session, submission: Submission) -> Screening:
    """Decide whether `submission` is published now, held for a moderator, or refused
    (raises Blocked)."""
    return Screening(Outcome.PUBLISH, submission.text, submission.title)
