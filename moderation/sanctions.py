"""Warnings and suspensions. A suspended person reads but does not post in the organization
(and those below it) until the suspension ends. Nobody sanctions someone of their own rank or
above: a moderator cannot suspend a secretary, and nobody suspends an admin."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from grassroots import policy
from grassroots.accounts.models import User
from grassroots.accounts.organizations import roles_of
from grassroots.accounts.tree import load_org_tree
from grassroots.db import utcnow
from grassroots.errors import FormInvalid, NotFound, NotPermitted
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier, notify, register_kind

from . import log
from .models import Sanction, SanctionKind
from .queue import check_reason

MAX_DAYS = 365
WARNED = "moderation.warned"
SUSPENDED = "moderation.suspended"

register_kind(WARNED, lambda actor, subject: _("A moderator warned you: %(reason)s", reason=subject))
register_kind(
    SUSPENDED, lambda actor, subject: _("You are suspended from posting: %(reason)s", reason=subject)
)


def active_suspension(db: Session, user_id: int, organization_id: int) -> Sanction | None:
    """The suspension that keeps the person from posting in this organization, if any."""
    path = load_org_tree(db).path(organization_id)
    now = utcnow()
    return db.scalar(
        select(Sanction)
        .where(
            Sanction.user_id == user_id,
            Sanction.kind == SanctionKind.SUSPENSION,
            Sanction.organization_id.in_(path),
            Sanction.lifted_at.is_(None),
            or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
        )
        .order_by(Sanction.ends_at.desc())
        .limit(1)
    )


def sanctions_of(db: Session, user_id: int) -> list[Sanction]:
    return list(db.scalars(select(Sanction).where(Sanction.user_id == user_id).order_by(Sanction.id.desc())))


def sanction(
    db: Session,
    notifier: Notifier,
    *,
    moderator: User,
    username: str,
    organization_id: int,
    kind: SanctionKind,
    reason: str,
    days: int | None = None,
) -> Sanction:
    """Warn or suspend. Raises NotFound, NotPermitted (not above the person) or FormInvalid."""
    target = db.scalar(select(User).where(User.username == username.strip()))
    if target is None:
        raise FormInvalid({"username": _("There is no account with this user name.")})
    reason = check_reason(reason)
    if kind is SanctionKind.SUSPENSION and (days is None or not 1 <= days <= MAX_DAYS):
        raise FormInvalid({"days": _("Give a number of days from 1 to %(max)d.", max=MAX_DAYS)})
    path = load_org_tree(db).path(organization_id)
    acting = policy.Actor(moderator.id, moderator.is_admin, roles_of(db, moderator.id))
    if not policy.may_moderate(acting, path):
        raise NotPermitted(_("You do not moderate this organization."))
    targeted = policy.Actor(target.id, target.is_admin, roles_of(db, target.id))
    if target.is_admin or targeted.level_in(path) >= acting.level_in(path):
        raise NotPermitted(_("You can warn or suspend only people below your own role here."))
    ends = utcnow() + timedelta(days=days) if kind is SanctionKind.SUSPENSION and days else None
    entry = Sanction(
        user_id=target.id,
        organization_id=organization_id,
        kind=kind,
        reason=reason,
        ends_at=ends,
        decided_by_id=moderator.id,
    )
    db.add(entry)
    db.flush()
    notify(
        db,
        notifier,
        user_ids=[target.id],
        kind=WARNED if kind is SanctionKind.WARNING else SUSPENDED,
        actor=None,
        subject=reason,
        link=f"/moderation/sanctions/{entry.id}",
    )
    log.record(
        db,
        moderator=moderator,
        action="warn" if kind is SanctionKind.WARNING else "suspend",
        organization_id=organization_id,
        reason=reason if kind is SanctionKind.WARNING else f"{reason} ({days} d)",
        kind="user",
        item_id=entry.id,
    )
    return entry


def get_sanction(db: Session, sanction_id: int) -> Sanction:
    entry = db.get(Sanction, sanction_id)
    if entry is None:
        raise NotFound(_("There is no such decision."))
    return entry


def lift(db: Session, *, sanction_entry: Sanction, moderator: User, reason: str) -> None:
    if sanction_entry.lifted_at is not None:
        return
    sanction_entry.lifted_at = utcnow()
    log.record(
        db,
        moderator=moderator,
        action="lift",
        organization_id=sanction_entry.organization_id,
        reason=reason,
        kind="user",
        item_id=sanction_entry.id,
    )
