"""In-site notifications with an unread count, mailed too when the site can send mail.

Features say what happened (a kind, who did it, what it concerns, where to look); the text a
person reads is made when it is shown, in their language, by the describer the feature
registered for that kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from grassroots.accounts.models import User
from grassroots.db import Base, UTCDateTime, utcnow
from grassroots.mail import queue_mail

PAGE = 30


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


# kind -> describe(actor name, subject) -> the sentence shown, in the current language
Describer = Callable[[str, str], str]
_DESCRIBERS: dict[str, Describer] = {}


def register_kind(kind: str, describe: Describer) -> None:
    _DESCRIBERS[kind] = describe


def describe(notification: Notification) -> str:
    actor = notification.actor.display_name if notification.actor else ""
    describer = _DESCRIBERS.get(notification.kind)
    return describer(actor, notification.subject) if describer else notification.subject


@dataclass(frozen=True)
class Notifier:
    """How this process tells people: the site's address for links in mail, and whether mail
    goes out at all (GRASSROOTS_SMTP_URL)."""

    site_url: str = ""
    mail_enabled: bool = False


def notify(
    db: Session,
    notifier: Notifier,
    *,
    user_ids: Iterable[int],
    kind: str,
    actor: User | None,
    subject: str,
    link: str,
) -> list[Notification]:
    """Tell each person once; the actor is never told of their own act."""
    made: list[Notification] = []
    for user_id in dict.fromkeys(user_ids):
        if actor is not None and user_id == actor.id:
            continue
        note = Notification(
            user_id=user_id, kind=kind, actor=actor, actor_id=actor.id if actor else None,
            subject=subject[:200], link=link,
        )  # fmt: skip
        db.add(note)
        made.append(note)
    if notifier.mail_enabled and made:
        _queue_mails(db, notifier, made)
    return made


def _queue_mails(db: Session, notifier: Notifier, notes: list[Notification]) -> None:
    addresses = dict(
        db.execute(select(User.id, User.email).where(User.id.in_([n.user_id for n in notes]))).all()
    )
    for note in notes:
        if addresses.get(note.user_id):
            text = describe(note)
            url = notifier.site_url.rstrip("/") + note.link
            queue_mail(db, to_address=addresses[note.user_id], subject=text, body=f"{text}\n\n{url}\n")


def unread_count(db: Session, user_id: int) -> int:
    query = select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    return db.scalar(query) or 0


def list_notifications(db: Session, user_id: int, *, before_id: int | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(db.scalars(query.order_by(Notification.id.desc()).limit(PAGE)))


def mark_read(db: Session, user_id: int, notification_ids: Iterable[int] | None = None) -> None:
    """Mark the given notifications read, or all of them."""
    query = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_ids is not None:
        query = query.where(Notification.id.in_(list(notification_ids)))
    db.execute(query.values(read_at=utcnow()))
