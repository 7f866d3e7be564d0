"""A letter's history: every step, shown to the writer except internal notes; and the
writer's notifications, one per reply or status change."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots import markup, notifications
from grassroots.accounts.models import Membership, Role, User
from grassroots.accounts.tree import OrgTree
from grassroots.i18n import gettext as _
from grassroots.mail import queue_mail
from grassroots.notifications import Notifier

from .models import EventKind, Letter, LetterEvent, Status

KIND_REPLY = "mailbox.reply"
KIND_STATUS = "mailbox.status"
KIND_NEW = "mailbox.new"
KIND_WRITER = "mailbox.writer"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _reply_sentence(actor: str, subject: str) -> str:
    return _("Your letter “%(subject)s” was answered.", subject=subject)


def _status_sentence(actor: str, subject: str) -> str:
    return _("Your letter “%(subject)s” changed status.", subject=subject)


notifications.register_kind(KIND_REPLY, _reply_sentence)
notifications.register_kind(KIND_STATUS, _status_sentence)
notifications.register_kind(
    KIND_NEW,
    lambda actor, subject: _("A letter to your organization's secretary: “%(subject)s”", subject=subject),
)
notifications.register_kind(
    KIND_WRITER, lambda actor, subject: _("The writer of “%(subject)s” wrote again.", subject=subject)
)


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
    """In-site (and mailed when the site sends mail) to a writer with an account; by mail to
    a writer without one whose contact is an e-mail address. An anonymous writer follows the
    letter by its code."""
    if letter.writer_id is None:
        _mail_contact(db, notifier, letter, reply=reply)
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


def _mail_contact(db: Session, notifier: Notifier, letter: Letter, *, reply: bool) -> None:
    address = letter.contact.strip()
    if not notifier.mail_enabled or not EMAIL.fullmatch(address):
        return
    text = (_reply_sentence if reply else _status_sentence)("", letter.subject)
    url = notifier.site_url.rstrip("/") + "/mailbox/track"
    body = _("%(text)s\n\nLook it up with your tracking code at %(url)s", text=text, url=url)
    queue_mail(db, to_address=address, subject=text, body=body + "\n")


def secretaries_of(db: Session, tree: OrgTree, organization_id: int) -> list[int]:
    """Who hears of a letter: the organization's own secretaries, else the nearest above."""
    for org_id in tree.path(organization_id):
        query = select(Membership.user_id).where(
            Membership.organization_id == org_id, Membership.role == Role.SECRETARY
        )
        found = list(db.scalars(query.order_by(Membership.user_id)))
        if found:
            return found
    return []


def tell_secretaries(db: Session, notifier: Notifier, tree: OrgTree, letter: Letter, *, new: bool) -> None:
    """A new (or newly transferred) letter, or the writer wrote again."""
    notifications.notify(
        db,
        notifier,
        user_ids=secretaries_of(db, tree, letter.organization_id),
        kind=KIND_NEW if new else KIND_WRITER,
        actor=None,
        subject=letter.subject,
        link=f"/mailbox/inbox/{letter.id}",
    )
