"""Flags: anyone signed in may flag an item once, with a reason. Enough flags (the
organization's threshold, or one from a moderator) hide the item until a moderator decides."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grassroots import policy
from grassroots.accounts.models import User
from grassroots.accounts.organizations import roles_of
from grassroots.accounts.tree import load_org_tree
from grassroots.errors import Conflict, FormInvalid, NotFound
from grassroots.i18n import gettext as _

from . import queue, rules
from .models import Flag, FlagReason, HoldReason, ItemState
from .registry import adapter_for, known

NOTE_MAX = 500


def reason_label(reason: FlagReason | str) -> str:
    return {
        FlagReason.SPAM: _("Spam or advertising"),
        FlagReason.ABUSE: _("Abuse or personal attack"),
        FlagReason.OFF_TOPIC: _("Off topic"),
        FlagReason.ILLEGAL: _("Against the law"),
        FlagReason.OTHER: _("Something else"),
    }[FlagReason(reason)]


def flag(db: Session, *, kind: str, item_id: int, user: User, reason: str, note: str) -> bool:
    """Record the flag; returns True when it hid the item. Raises NotFound, Conflict (own item,
    second flag) or FormInvalid (no reason, or "other" without words)."""
    view = adapter_for(kind).describe(db, item_id) if known(kind) else None
    if view is None or not view.public:
        raise NotFound(_("There is no such post to flag."))
    if view.author_id == user.id:
        raise Conflict(_("You cannot flag your own post."))
    try:
        why = FlagReason(reason)
    except ValueError:
        raise FormInvalid({"reason": _("Choose why you flag this post.")}) from None
    note = " ".join(note.split())
    if why is FlagReason.OTHER and not note:
        raise FormInvalid({"note": _("Please say in a few words what is wrong.")})
    if len(note) > NOTE_MAX:
        raise FormInvalid({"note": _("A note has at most %(max)d characters.", max=NOTE_MAX)})
    actor = policy.Actor(user.id, user.is_admin, roles_of(db, user.id))
    by_moderator = policy.may_moderate(actor, load_org_tree(db).path(view.organization_id))
    try:
        with db.begin_nested():
            db.add(
                Flag(
                    kind=kind,
                    item_id=item_id,
                    user_id=user.id,
                    reason=why,
                    note=note,
                    by_moderator=by_moderator,
                )
            )
    except IntegrityError:
        raise Conflict(_("You have already flagged this post.")) from None
    open_flags = db.scalar(
        select(func.count()).where(Flag.kind == kind, Flag.item_id == item_id, Flag.resolved.is_(False))
    )
    threshold = rules.numbers_for(db, view.organization_id).flag_threshold
    if not by_moderator and (open_flags or 0) < threshold:
        return False
    item = queue.item_for_content(db, kind, item_id)
    if item is not None and item.state is ItemState.PENDING:
        return False
    adapter_for(kind).hide(db, item_id, _("Hidden after flags, until a moderator looks at it."))
    queue.enqueue(
        db,
        kind=kind,
        item_id=item_id,
        organization_id=view.organization_id,
        author_id=view.author_id,
        place=view.place,
        reason=HoldReason.FLAGGED,
        detail=reason_label(why),
    )
    return True


def flags_on(db: Session, kind: str, item_id: int) -> list[Flag]:
    return list(db.scalars(select(Flag).where(Flag.kind == kind, Flag.item_id == item_id).order_by(Flag.id)))


def flagged_by(db: Session, kind: str, item_ids: list[int], user_id: int) -> set[int]:
    if not item_ids:
        return set()
    rows = db.scalars(
        select(Flag.item_id).where(Flag.kind == kind, Flag.item_id.in_(item_ids), Flag.user_id == user_id)
    )
    return set(rows)
