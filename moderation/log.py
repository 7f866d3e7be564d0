"""Every moderator action, twice: in the public moderation log (what, on which item, when, by
which role, why) and in the hash-chained audit log (also by whom)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grassroots import audit, policy
from grassroots.accounts.models import User
from grassroots.accounts.organizations import roles_of
from grassroots.accounts.tree import load_org_tree
from grassroots.audit import AuditAction

from .models import LogEntry

PER_PAGE = 50


def role_of(db: Session, user: User, organization_id: int) -> str:
    """The role the person acted in: the public log names roles, never people."""
    actor = policy.Actor(user.id, user.is_admin, roles_of(db, user.id))
    level = actor.level_in(load_org_tree(db).path(organization_id))
    return {policy.Level.ADMIN: "admin", policy.Level.SECRETARY: "secretary"}.get(level, "moderator")


def record(
    db: Session,
    *,
    moderator: User,
    action: str,
    organization_id: int,
    reason: str = "",
    kind: str = "",
    item_id: int | None = None,
    link: str = "",
) -> LogEntry:
    entry = LogEntry(
        action=action,
        kind=kind,
        item_id=item_id,
        link=link,
        organization_id=organization_id,
        moderator_id=moderator.id,
        role=role_of(db, moderator, organization_id),
        reason=reason,
    )
    db.add(entry)
    db.flush()
    audit.record(
        db,
        actor=moderator,
        action=AuditAction.MODERATION_ACTION,
        subject=(kind or "moderation", item_id or entry.id),
        organization_id=organization_id,
        data={"action": action, "reason": reason, "log_id": entry.id},
    )
    return entry


def entries(
    db: Session, organization_ids: Sequence[int] | None = None, *, page: int = 1
) -> tuple[list[LogEntry], int]:
    """Newest first, and how many there are."""
    query = select(LogEntry)
    if organization_ids is not None:
        query = query.where(LogEntry.organization_id.in_(organization_ids))
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(LogEntry.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE))
    return list(rows), total
