"""A letter's history: every step, shown to the writer except internal notes; and the
writer's notifications, one per reply or status change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots import markup, notifications
from grassroots.accounts.models import User
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier

from .models import EventKind, Letter, LetterEvent, Status

KIND_REPLY = "mailbox.reply"
KIND_STATUS = "mailbox.status"


def _register() -> None:
    notifications.register_kind(
        KIND_REPLY, lambda actor, subject: _("Your letter “%(subject)s” was answered.", subject=subject)
    )
    notifications.register_kind(
        KIND_STATUS, lambda actor, subject: _("Your letter “%(subject)s” changed status.", subject=subject)
    )


_register()


def add_event(
    db: Session,
    letter: Letter,
    kind: EventKind,
    *,
    actor: User | None = None,
    by_writer: bool = False,
    old_status: Status | None = None,
    body: str = "",
    detail: str = "",
    internal: bool = False,
) -> LetterEvent:
    event = LetterEvent(
        letter_id=letter.id,
        kind=kind,
        internal=internal,
        actor_id=actor.id if actor else None,
        by_writer=by_writer,
        old_status=old_status.value if old_status else "",
        new_status=letter.status.value,
        body_source=body,
        body_html=markup.render(body) if body else "",
        detail=detail[:200],
    )
    db.add(event)
    return event


def list_events(db: Session, letter: Letter, *, internal: bool) -> list[LetterEvent]:
    query = select(LetterEvent).where(LetterEvent.letter_id == letter.id)
    if not internal:
        query = query.where(LetterEvent.internal.is_(False))
    return list(db.scalars(query.order_by(LetterEvent.id)))


def tell_writer(db: Session, notifier: Notifier, letter: Letter, *, actor: User | None, reply: bool) -> None:
    """In-site (and mailed when configured) to a writer with an account; an anonymous writer
    follows the letter by its code."""
    if letter.writer_id is None:
        return
    notifications.notify(
        db,
        notifier,
        user_ids=[letter.writer_id],
        kind=KIND_REPLY if reply else KIND_STATUS,
        actor=actor,
        subject=letter.subject,
        link=f"/mailbox/mine/{letter.id}",
    )
