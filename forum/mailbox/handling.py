"""What a secretary does with a letter: move it along the workflow, reply, note, transfer,
extend the deadline. Each act writes its history event and audit row, and tells the writer
of what they may see."""

from __future__ import annotations

from sqlalchemy.orm import Session

from grassroots import audit
from grassroots.accounts.models import User
from grassroots.accounts.tree import OrgTree
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import FormInvalid
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier

from . import clock, history, workflow
from .models import EventKind, Letter, Status

MAX_TEXT = 20_000


def _text(value: str, field: str, missing: str) -> str:
    value = value.strip()
    if not value:
        raise FormInvalid({field: missing})
    if len(value) > MAX_TEXT:
        raise FormInvalid({field: _("At most %(count)d characters.", count=MAX_TEXT)})
    return value


def _audit(db: Session, actor: User, action: AuditAction, letter: Letter, **data: object) -> None:
    audit.record(
        db, actor=actor, action=action, subject=letter, organization_id=letter.organization_id, data=data
    )


def change_status(
    db: Session, notifier: Notifier, tree: OrgTree, letter: Letter, *, actor: User, target: str, reason: str
) -> None:
    """Raises InvalidTransition for a move the workflow does not allow, FormInvalid without a
    reason where the writer must be told one."""
    new = Status(target) if target in Status._value2member_map_ else None
    if new is None:
        raise FormInvalid({"status": _("Choose the new status.")})
    workflow.check_move(letter.status, new)
    if new in workflow.NEEDS_REASON:
        reason = _text(reason, "reason", _("Tell the writer why."))
    old, letter.status = letter.status, new
    if new is Status.WAITING:
        clock.pause(db, tree, letter)
    elif old is Status.WAITING:
        clock.resume(db, tree, letter)
    if new is Status.DECLINED:
        letter.decline_reason = reason.strip()
    history.add_event(
        db, letter, EventKind.STATUS, actor=actor, old_status=old, body=reason.strip()[:MAX_TEXT]
    )
    _audit(db, actor, AuditAction.MAILBOX_LETTER_STATUS, letter, old=old.value, new=new.value)
    history.tell_writer(db, notifier, letter, actor=actor, reply=False)


def reply(db: Session, notifier: Notifier, tree: OrgTree, letter: Letter, *, actor: User, body: str) -> None:
    """The organization's answer; the first one stops the clock and is measured against it."""
    workflow.check_reply(letter.status)
    body = _text(body, "reply", _("Write the reply."))
    now = utcnow()
    if letter.status is Status.WAITING:
        clock.resume(db, tree, letter, now)
    if letter.first_replied_at is None:
        letter.first_replied_at = now
        letter.reply_seconds = int((now - letter.created_at).total_seconds())
        letter.replied_on_time = letter.due_at is None or now < letter.due_at
    old, letter.status = letter.status, Status.REPLIED
    history.add_event(db, letter, EventKind.REPLY, actor=actor, old_status=old, body=body)
    _audit(db, actor, AuditAction.MAILBOX_LETTER_REPLY, letter, old=old.value, new=letter.status.value)
    history.tell_writer(db, notifier, letter, actor=actor, reply=True)


def add_note(db: Session, letter: Letter, *, actor: User, body: str) -> None:
    """An internal note: never shown to the writer, never published."""
    body = _text(body, "note", _("Write the note."))
    history.add_event(db, letter, EventKind.NOTE, actor=actor, body=body, internal=True)
    _audit(db, actor, AuditAction.MAILBOX_LETTER_NOTE, letter)


def transfer_targets(tree: OrgTree, organization_id: int) -> list[int]:
    """The parent and the children: where a letter may be passed on to (转办)."""
    node = tree.by_id[organization_id]
    parent = [node.parent_id] if node.parent_id is not None else []
    return parent + [child.id for child in tree.children.get(organization_id, [])]


def transfer(
    db: Session,
    notifier: Notifier,
    tree: OrgTree,
    letter: Letter,
    *,
    actor: User,
    target_id: int | None,
    note: str,
) -> None:
    """Pass the letter to the parent's or a child's secretary, who receives it afresh; the
    deadline stays. Raises FormInvalid for any other organization."""
    workflow.check_transfer(letter.status)
    if target_id is None or target_id not in transfer_targets(tree, letter.organization_id):
        raise FormInvalid({"target": _("A letter can go only to the organization above or one below.")})
    note = _text(note, "transfer_note", _("Tell the other secretary why you pass the letter on."))
    source = letter.organization_id
    old, letter.status, letter.organization_id = letter.status, Status.RECEIVED, target_id
    if old is Status.WAITING:
        clock.resume(db, tree, letter)
    target = tree.by_id[target_id]
    history.add_event(db, letter, EventKind.TRANSFER, actor=actor, old_status=old, detail=target.name)
    history.add_event(db, letter, EventKind.NOTE, actor=actor, body=note, internal=True)
    _audit(db, actor, AuditAction.MAILBOX_LETTER_TRANSFER, letter, source=source, target=target_id)
    history.tell_writer(db, notifier, letter, actor=actor, reply=False)
    history.tell_secretaries(db, notifier, tree, letter, new=True)


def extend_deadline(
    db: Session,
    notifier: Notifier,
    tree: OrgTree,
    letter: Letter,
    *,
    actor: User,
    days: int | None,
    reason: str,
) -> None:
    """Once per letter; the writer reads the reason. Raises Conflict or FormInvalid."""
    if letter.status not in workflow.CLOCK_RUNNING | {Status.WAITING}:
        raise FormInvalid({"days": _("Only a letter not yet answered can get more time.")})
    clock.extend(db, tree, letter, days, reason)
    history.add_event(
        db, letter, EventKind.EXTENSION, actor=actor, body=letter.extension_reason, detail=str(days)
    )
    _audit(db, actor, AuditAction.MAILBOX_LETTER_EXTEND, letter, days=days)
    history.tell_writer(db, notifier, letter, actor=actor, reply=False)
