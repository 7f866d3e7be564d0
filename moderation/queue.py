"""The queue: items held by screening or hidden by flags, listed for the moderators of their
organizations, and the decisions on them. A decision is taken by one moderator only: the
decision's UPDATE asks for the version the moderator saw, so when two act at the same moment
the second is told the item was already handled."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from grassroots.accounts.models import User
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid, NotFound
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier, notify, register_kind

from . import log, rules
from .models import Flag, HoldReason, ItemState, QueueItem
from .registry import ItemView, adapter_for, known

PER_PAGE = 30  # a screenful on a desk, several on a phone; a page stays quick with 10,000 waiting
REASON_MAX = 500

APPROVED = "moderation.approved"
REJECTED = "moderation.rejected"
HIDDEN = "moderation.hidden"
FLAG_OUTCOME = "moderation.flag_outcome"

register_kind(
    APPROVED, lambda actor, subject: _("A moderator approved your post in “%(title)s”", title=subject)
)
register_kind(REJECTED, lambda actor, subject: _("Your post was not published: %(reason)s", reason=subject))
register_kind(HIDDEN, lambda actor, subject: _("A moderator hid your post: %(reason)s", reason=subject))
register_kind(FLAG_OUTCOME, lambda actor, subject: _("Your flag was looked at: %(outcome)s", outcome=subject))


class Decision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    HIDE = "hide"
    UNHIDE = "unhide"


def decision_label(decision: Decision | str) -> str:
    return {
        Decision.APPROVE: _("approved"),
        Decision.REJECT: _("rejected"),
        Decision.HIDE: _("hidden"),
        Decision.UNHIDE: _("shown again"),
    }[Decision(decision)]


def enqueue(
    db: Session,
    *,
    kind: str,
    item_id: int,
    organization_id: int,
    author_id: int | None,
    place: str,
    reason: HoldReason,
    detail: str = "",
) -> QueueItem:
    """Put the item in the queue, or open its row again if it was decided before."""
    item = db.scalar(select(QueueItem).where(QueueItem.kind == kind, QueueItem.item_id == item_id))
    if item is None:
        item = QueueItem(kind=kind, item_id=item_id, organization_id=organization_id, author_id=author_id)
        db.add(item)
    item.place, item.reason, item.detail = place, reason, detail
    item.state, item.created_at, item.decided_at = ItemState.PENDING, utcnow(), None
    item.version = (item.version or 0) + 1
    db.flush()
    return item


@dataclass(frozen=True)
class Filters:
    organization_id: int | None = None
    place: str = ""
    reason: str = ""
    older_than_hours: int | None = None


@dataclass(frozen=True)
class Waiting:
    """How many items wait, by organization, place and reason: one grouped query gives the
    dashboard, the board filter's options and each filter's count, so a page of the queue reads
    the pending items once for all of them."""

    groups: list[tuple[int, str, str, int, datetime]]  # organization, place, reason, count, oldest

    @property
    def size(self) -> int:
        return sum(group[3] for group in self.groups)

    @property
    def oldest(self) -> datetime | None:
        return min((group[4] for group in self.groups), default=None)

    @property
    def places(self) -> list[str]:
        return sorted({group[1] for group in self.groups if group[1]})

    def matching(self, filters: Filters) -> int:
        return sum(
            count
            for org_id, place, reason, count, _oldest in self.groups
            if filters.organization_id in (None, org_id)
            and filters.place in ("", place)
            and (filters.reason not in set(HoldReason) or filters.reason == reason)
        )


def waiting(db: Session, organization_ids: Sequence[int]) -> Waiting:
    oldest = func.min(QueueItem.created_at)
    rows = db.execute(
        select(QueueItem.organization_id, QueueItem.place, QueueItem.reason, func.count(), oldest)
        .where(QueueItem.state == ItemState.PENDING, QueueItem.organization_id.in_(organization_ids))
        .group_by(QueueItem.organization_id, QueueItem.place, QueueItem.reason)
    ).all()
    return Waiting([(o, p, str(r), c, m) for o, p, r, c, m in rows])


def open_items(
    db: Session, organization_ids: Sequence[int], filters: Filters, *, page: int = 1
) -> tuple[list[QueueItem], Waiting, int]:
    """Pending items of these organizations, oldest first, one page; what waits, counted; and
    how many items match the filters."""
    overview = waiting(db, organization_ids)
    if filters.organization_id is not None:
        organization_ids = [o for o in organization_ids if o == filters.organization_id]
    query = select(QueueItem).where(
        QueueItem.state == ItemState.PENDING, QueueItem.organization_id.in_(organization_ids)
    )
    if filters.place:
        query = query.where(QueueItem.place == filters.place)
    if filters.reason in set(HoldReason):
        query = query.where(QueueItem.reason == HoldReason(filters.reason))
    total = overview.matching(filters)
    if filters.older_than_hours:
        query = query.where(QueueItem.created_at <= utcnow() - timedelta(hours=filters.older_than_hours))
        total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    # Oldest first along ix_moderation_queue_waiting, so a page reads its rows, not all of them.
    rows = db.scalars(
        query.order_by(QueueItem.created_at, QueueItem.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    )
    return list(rows), overview, total


def describe_items(db: Session, items: Sequence[QueueItem]) -> dict[int, ItemView]:
    """What each queue item shows, by queue item id: one batch per kind of content."""
    by_kind: dict[str, list[QueueItem]] = {}
    for item in items:
        if known(item.kind):
            by_kind.setdefault(item.kind, []).append(item)
    views: dict[int, ItemView] = {}
    for kind, of_kind in by_kind.items():
        found = adapter_for(kind).describe_many(db, [item.item_id for item in of_kind])
        views.update({item.id: found[item.item_id] for item in of_kind if item.item_id in found})
    return views


def get_item(db: Session, item_id: int) -> QueueItem:
    item = db.get(QueueItem, item_id)
    if item is None or not known(item.kind):
        raise NotFound(_("This item is no longer in the queue."))
    return item


def item_for_content(db: Session, kind: str, content_id: int) -> QueueItem | None:
    return db.scalar(select(QueueItem).where(QueueItem.kind == kind, QueueItem.item_id == content_id))


def decide(
    db: Session,
    notifier: Notifier,
    *,
    item: QueueItem,
    seen_version: int,
    decision: Decision,
    moderator: User,
    reason: str,
) -> None:
    """Approve, reject, hide or show again. Raises FormInvalid for a missing reason and
    Conflict when another moderator decided the item first."""
    reason = check_reason(reason, required=decision in (Decision.REJECT, Decision.HIDE))
    state = {
        Decision.APPROVE: ItemState.APPROVED,
        Decision.REJECT: ItemState.REJECTED,
        Decision.HIDE: ItemState.HIDDEN,
        Decision.UNHIDE: ItemState.APPROVED,
    }[decision]
    claimed = db.execute(
        update(QueueItem)
        .where(QueueItem.id == item.id, QueueItem.version == seen_version)
        .values(
            state=state,
            version=QueueItem.version + 1,
            decided_at=utcnow(),
            decided_by_id=moderator.id,
            decision_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("Another moderator has already handled this item."))
    db.refresh(item)
    adapter = adapter_for(item.kind)
    view = adapter.describe(db, item.item_id)
    if view is None:
        raise NotFound(_("This item is gone."))
    was_new_account_hold = item.reason is HoldReason.NEW_ACCOUNT
    if decision in (Decision.APPROVE, Decision.UNHIDE):
        adapter.publish(db, item.item_id)
        if was_new_account_hold and decision is Decision.APPROVE and item.author_id is not None:
            rules.count_published(db, item.author_id, item.organization_id)
        notify(
            db,
            notifier,
            user_ids=_author(item),
            kind=APPROVED,
            actor=None,
            subject=view.title,
            link=view.link,
        )
    elif decision is Decision.REJECT:
        adapter.reject(db, item.item_id, reason)
        notify(
            db, notifier, user_ids=_author(item), kind=REJECTED, actor=None, subject=reason, link=view.link
        )
    else:
        adapter.hide(db, item.item_id, reason)
        notify(db, notifier, user_ids=_author(item), kind=HIDDEN, actor=None, subject=reason, link=view.link)
    _tell_flaggers(db, notifier, item, decision)
    log.record(
        db,
        moderator=moderator,
        action=str(decision),
        organization_id=item.organization_id,
        reason=reason,
        kind=item.kind,
        item_id=item.item_id,
        link=view.link,
    )


def hide_content(
    db: Session, notifier: Notifier, *, kind: str, content_id: int, moderator: User, reason: str
) -> None:
    """Hide an item from the page it is on, queued or not: it goes to the queue as hidden."""
    adapter = adapter_for(kind)
    view = adapter.describe(db, content_id)
    if view is None:
        raise NotFound(_("This item is gone."))
    item = item_for_content(db, kind, content_id) or enqueue(
        db,
        kind=kind,
        item_id=content_id,
        organization_id=view.organization_id,
        author_id=view.author_id,
        place=view.place,
        reason=HoldReason.FLAGGED,
    )
    decide(
        db,
        notifier,
        item=item,
        seen_version=item.version,
        decision=Decision.HIDE,
        moderator=moderator,
        reason=reason,
    )


def _author(item: QueueItem) -> list[int]:
    """Who hears of a decision: the author, unless they wrote without an account."""
    return [] if item.author_id is None else [item.author_id]


def _tell_flaggers(db: Session, notifier: Notifier, item: QueueItem, decision: Decision) -> None:
    flaggers = list(
        db.scalars(
            select(Flag.user_id).where(
                Flag.kind == item.kind, Flag.item_id == item.item_id, Flag.resolved.is_(False)
            )
        )
    )
    if not flaggers:
        return
    outcome = (
        _("the post stays") if decision in (Decision.APPROVE, Decision.UNHIDE) else _("the post was removed")
    )
    notify(
        db,
        notifier,
        user_ids=flaggers,
        kind=FLAG_OUTCOME,
        actor=None,
        subject=outcome,
        link="/moderation/log",
    )
    db.execute(
        update(Flag)
        .where(Flag.kind == item.kind, Flag.item_id == item.item_id)
        .values(resolved=True)
        .execution_options(synchronize_session=False)
    )


def check_reason(reason: str, *, required: bool = True) -> str:
    reason = " ".join(reason.split())
    if required and not reason:
        raise FormInvalid({"reason": _("Please give a reason: the author and the public log will see it.")})
    if len(reason) > REASON_MAX:
        raise FormInvalid({"reason": _("A reason has at most %(max)d characters.", max=REASON_MAX)})
    return reason
