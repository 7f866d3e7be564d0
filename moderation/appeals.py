"""Appeals: the person a rejection or a suspension concerns may ask once for it to be looked
at again. Anyone who moderates the organization may answer, except who took the decision."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grassroots.accounts.models import User
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid, NotFound, NotPermitted
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier, notify, register_kind

from . import log, queue
from .models import Appeal, AppealState, ItemState, QueueItem, Sanction, SanctionKind
from .registry import adapter_for

TEXT_MAX = 2000
ITEM, SANCTION = "item", "sanction"
DECIDED = "moderation.appeal_decided"

register_kind(DECIDED, lambda actor, subject: _("Your appeal was answered: %(outcome)s", outcome=subject))


def appeal(db: Session, *, user: User, subject: str, subject_id: int, text: str) -> Appeal:
    """Raises NotFound, NotPermitted (not the person concerned), Conflict (appealed before, or
    nothing to appeal) or FormInvalid (no words)."""
    organization_id, decider = _decision(db, user, subject, subject_id)
    text = text.strip()
    if not text:
        raise FormInvalid({"text": _("Please say why the decision should change.")})
    if len(text) > TEXT_MAX:
        raise FormInvalid({"text": _("An appeal has at most %(max)d characters.", max=TEXT_MAX)})
    entry = Appeal(
        subject=subject,
        subject_id=subject_id,
        user_id=user.id,
        organization_id=organization_id,
        first_decider_id=decider,
        text=text,
    )
    try:
        with db.begin_nested():
            db.add(entry)
    except IntegrityError:
        raise Conflict(_("You have already appealed this decision; an appeal is heard once.")) from None
    return entry


def _decision(db: Session, user: User, subject: str, subject_id: int) -> tuple[int, int | None]:
    if subject == ITEM:
        item = db.get(QueueItem, subject_id)
        if item is None:
            raise NotFound(_("There is no such decision."))
        if item.author_id != user.id:
            raise NotPermitted(_("Only the person a decision concerns may appeal it."))
        if item.state is not ItemState.REJECTED:
            raise Conflict(_("Only a rejection can be appealed."))
        return item.organization_id, item.decided_by_id
    if subject == SANCTION:
        sanction = db.get(Sanction, subject_id)
        if sanction is None:
            raise NotFound(_("There is no such decision."))
        if sanction.user_id != user.id:
            raise NotPermitted(_("Only the person a decision concerns may appeal it."))
        if sanction.kind is not SanctionKind.SUSPENSION or sanction.lifted_at is not None:
            raise Conflict(_("Only a suspension in force can be appealed."))
        return sanction.organization_id, sanction.decided_by_id
    raise NotFound(_("There is no such decision."))


def appeal_of(db: Session, subject: str, subject_id: int) -> Appeal | None:
    return db.scalar(select(Appeal).where(Appeal.subject == subject, Appeal.subject_id == subject_id))


def open_appeals(db: Session, organization_ids: Sequence[int], moderator: User) -> list[Appeal]:
    """Open appeals a moderator may answer: not those of their own decisions."""
    rows = db.scalars(
        select(Appeal)
        .where(Appeal.state == AppealState.OPEN, Appeal.organization_id.in_(organization_ids))
        .order_by(Appeal.created_at)
    )
    return [a for a in rows if a.first_decider_id != moderator.id]


def decide(
    db: Session, notifier: Notifier, *, entry: Appeal, moderator: User, overturn: bool, reason: str
) -> None:
    if entry.first_decider_id == moderator.id:
        raise NotPermitted(_("An appeal goes to someone other than who took the decision."))
    reason = queue.check_reason(reason)
    claimed = db.execute(
        Appeal.__table__.update()
        .where(Appeal.id == entry.id, Appeal.state == AppealState.OPEN)
        .values(
            state=AppealState.OVERTURNED if overturn else AppealState.UPHELD,
            decided_by_id=moderator.id,
            decision_reason=reason,
            decided_at=utcnow(),
        )
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("Another moderator has already answered this appeal."))
    db.refresh(entry)
    link = ""
    if overturn and entry.subject == ITEM:
        item = db.get_one(QueueItem, entry.subject_id)
        adapter_for(item.kind).publish(db, item.item_id)
        item.state, item.version = ItemState.APPROVED, item.version + 1
        view = adapter_for(item.kind).describe(db, item.item_id)
        link = view.link if view else ""
    elif overturn:
        db.get_one(Sanction, entry.subject_id).lifted_at = utcnow()
    outcome = _("the decision was changed") if overturn else _("the decision stands")
    notify(
        db,
        notifier,
        user_ids=[entry.user_id],
        kind=DECIDED,
        actor=None,
        subject=f"{outcome}: {reason}",
        link=link or "/me/notifications",
    )
    log.record(
        db,
        moderator=moderator,
        action="appeal_granted" if overturn else "appeal_refused",
        organization_id=entry.organization_id,
        reason=reason,
        kind="appeal",
        item_id=entry.id,
        link=link,
    )
