"""The screening hook: content that can be moderated calls `screen` when it is written or
edited and honours the answer, then `recorded` once the item has its id. Moderation knows
nothing of what the content is.

The rules, in order: a suspended person may not post; slow mode spaces one person's posts in a
container; watched words block, hold or are replaced; a new account's first posts, and links
from new accounts, wait for a moderator. Staff (moderators and above where the text goes) are
held by nothing but watched words that block or hold.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots import policy
from grassroots.accounts.models import User
from grassroots.accounts.organizations import roles_of
from grassroots.accounts.tree import load_org_tree
from grassroots.db import utcnow
from grassroots.errors import DomainError
from grassroots.i18n import format_short_time
from grassroots.i18n import gettext as _

from . import queue, rules, sanctions
from .matcher import replace
from .models import HoldReason, LastPost, SlowMode, WordAction

# Links wait for a moderator until the person has this many published items in the
# organization: spam needs links, and a few real posts first are a cost spammers avoid.
LINK_TRUST_POSTS = 5
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)|\]\(|<https?:")


class Outcome(enum.StrEnum):
    PUBLISH = "publish"
    HOLD = "hold"


@dataclass(frozen=True)
class Submission:
    """What is about to be published: which kind of content (an adapter's kind), where, by whom."""

    kind: str
    organization_id: int
    author_id: int | None  # None: written without an account, screened for watched words only
    text: str
    title: str = ""
    container: str = ""  # where slow mode applies, e.g. "forum.thread:12"
    place: str = ""  # shown and filtered by in the queue, e.g. the board's name
    is_edit: bool = False


@dataclass(frozen=True)
class Screening:
    outcome: Outcome
    text: str  # the text to store: watched words may have been replaced
    title: str = ""
    reason: str = ""  # told to the author when the text is held
    hold: HoldReason | None = None


class Blocked(DomainError):
    """The text may not be published at all; the message tells the author why."""

    status_code = 422


def screen(db: Session, submission: Submission) -> Screening:
    """Decide whether `submission` is published now, held for a moderator, or refused
    (raises Blocked)."""
    if submission.author_id is None:
        text, title, hold = _apply_words(db, submission)
        if hold is not None:
            return Screening(Outcome.HOLD, text, title, hold[1], hold[0])
        return Screening(Outcome.PUBLISH, text, title)
    author = db.get_one(User, submission.author_id)
    staff = _is_staff(db, author, submission.organization_id)
    suspension = sanctions.active_suspension(db, author.id, submission.organization_id)
    if suspension is not None and not author.is_admin:
        raise Blocked(
            _(
                "You are suspended until %(end)s: you can read, but not post. Reason: %(reason)s",
                end=format_short_time(suspension.ends_at, _timezone(db, submission.organization_id)),
                reason=suspension.reason,
            )
        )
    if not submission.is_edit and not staff:
        _check_slow_mode(db, submission)
    text, title, hold = _apply_words(db, submission)
    if hold is not None:
        return Screening(Outcome.HOLD, text, title, hold[1], hold[0])
    if staff or submission.is_edit:
        return Screening(Outcome.PUBLISH, text, title)
    numbers = rules.numbers_for(db, submission.organization_id)
    published = rules.published_count(db, author.id, submission.organization_id)
    if published < numbers.held_first_posts:
        reason = _("A new account's first posts are read by a moderator before they appear.")
        return Screening(Outcome.HOLD, text, title, reason, HoldReason.NEW_ACCOUNT)
    if published < LINK_TRUST_POSTS and _LINK.search(text):
        reason = _("Links from new accounts are read by a moderator before they appear.")
        return Screening(Outcome.HOLD, text, title, reason, HoldReason.LINK)
    return Screening(Outcome.PUBLISH, text, title)


def recorded(db: Session, submission: Submission, screening: Screening, item_id: int) -> None:
    """The item was stored under `item_id` as screened: queue it if held, count it if not, and
    remember the time for slow mode."""
    if screening.outcome is Outcome.HOLD:
        queue.enqueue(
            db,
            kind=submission.kind,
            item_id=item_id,
            organization_id=submission.organization_id,
            author_id=submission.author_id,
            place=submission.place,
            reason=screening.hold or HoldReason.WATCHED_WORD,
            detail=screening.reason,
        )
    elif not submission.is_edit and submission.author_id is not None:
        rules.count_published(db, submission.author_id, submission.organization_id)
    if submission.container and not submission.is_edit and submission.author_id is not None:
        _remember_post(db, submission.container, submission.author_id)


def _timezone(db: Session, organization_id: int) -> str:
    node = load_org_tree(db).by_id.get(organization_id)
    return node.timezone if node else "Asia/Shanghai"


def _is_staff(db: Session, author: User, organization_id: int) -> bool:
    actor = policy.Actor(author.id, author.is_admin, roles_of(db, author.id))
    return policy.may_moderate(actor, load_org_tree(db).path(organization_id))


def _apply_words(db: Session, submission: Submission) -> tuple[str, str, tuple[HoldReason, str] | None]:
    words = rules.matcher(db)
    if not words:
        return submission.text, submission.title, None
    found_text, found_title = words.find(submission.text), words.find(submission.title)
    for match in (*found_title, *found_text):
        if match.payload is WordAction.BLOCK:
            raise Blocked(
                _(
                    "Your text contains “%(word)s”, which may not be posted here. "
                    "Please change it and send it again.",
                    word=match.word,
                )
            )
    held = next((m for m in (*found_title, *found_text) if m.payload is WordAction.HOLD), None)
    text = replace(submission.text, [m for m in found_text if m.payload is WordAction.REPLACE])
    title = replace(submission.title, [m for m in found_title if m.payload is WordAction.REPLACE])
    if held is not None:
        reason = _(
            "Your text contains “%(word)s”, so a moderator reads it before it appears.", word=held.word
        )
        return text, title, (HoldReason.WATCHED_WORD, reason)
    return text, title, None


def _check_slow_mode(db: Session, submission: Submission) -> None:
    if not submission.container:
        return
    slow = db.get(SlowMode, submission.container)
    if slow is None:
        return
    last = db.scalar(
        select(LastPost.posted_at).where(
            LastPost.container == submission.container, LastPost.user_id == submission.author_id
        )
    )
    if last is None:
        return
    wait = last + timedelta(minutes=slow.minutes) - utcnow()
    if wait > timedelta(0):
        minutes = max(1, int(wait.total_seconds() + 59) // 60)
        raise Blocked(
            _(
                "This thread is in slow mode: one post every %(every)d minutes. "
                "You can post again in %(left)d minutes; your text is kept below.",
                every=slow.minutes,
                left=minutes,
            )
        )


def _remember_post(db: Session, container: str, user_id: int, now: datetime | None = None) -> None:
    if db.get(SlowMode, container) is None:
        return
    row = db.get(LastPost, (container, user_id))
    if row is None:
        db.add(LastPost(container=container, user_id=user_id, posted_at=now or utcnow()))
    else:
        row.posted_at = now or utcnow()
