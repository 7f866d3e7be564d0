"""What the writer does after writing: answer the secretary, rate the reply and say whether
the problem was solved, and reopen a letter once when dissatisfied. The writer may be
anonymous, so these acts are audited without an actor."""

from __future__ import annotations

from sqlalchemy.orm import Session

from grassroots import audit
from grassroots.accounts.tree import OrgTree
from grassroots.audit import AuditAction
from grassroots.errors import Conflict, FormInvalid
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier

from . import clock, history, workflow
from .handling import MAX_TEXT
from .models import EventKind, Letter, Rating, Status


def _audit(db: Session, action: AuditAction, letter: Letter, **data: object) -> None:
    audit.record(
        db, actor=None, action=action, subject=letter, organization_id=letter.organization_id, data=data
    )


def answer(db: Session, notifier: Notifier, tree: OrgTree, letter: Letter, *, body: str) -> None:
    """The writer writes again; a letter waiting for their information runs again."""
    if letter.status not in workflow.WRITER_MAY_ANSWER:
        raise Conflict(_("This letter is closed; it takes no more messages."))
    body = body.strip()
    if not body:
        raise FormInvalid({"message_text": _("Write your message.")})
    if len(body) > MAX_TEXT:
        raise FormInvalid({"message_text": _("At most %(count)d characters.", count=MAX_TEXT)})
    old = letter.status
    if old is Status.WAITING:
        letter.status = Status.IN_PROGRESS
        clock.resume(db, tree, letter)
    history.add_event(db, letter, EventKind.WRITER_MESSAGE, by_writer=True, old_status=old, body=body)
    _audit(db, AuditAction.MAILBOX_LETTER_ANSWER, letter, old=old.value, new=letter.status.value)
    history.tell_secretaries(db, notifier, tree, letter, new=False)


def may_rate(letter: Letter) -> bool:
    return (
        letter.rating is None
        and letter.status in (Status.REPLIED, Status.CLOSED)
        and bool(letter.first_replied_at)
    )


def rate(db: Session, letter: Letter, *, rating: str, solved: str) -> None:
    """Satisfaction and whether the problem was solved; closes the letter, as solved or not.
    Raises Conflict when already rated, FormInvalid for a missing choice."""
    if letter.rating is not None:
        raise Conflict(_("You have rated this reply already."))
    if not may_rate(letter):
        raise Conflict(_("There is no reply to rate yet."))
    errors = {}
    if rating not in Rating._value2member_map_:
        errors["rating"] = _("Choose how satisfied you are.")
    if solved not in ("yes", "no"):
        errors["solved"] = _("Say whether your problem was solved.")
    if errors:
        raise FormInvalid(errors)
    old = letter.status
    letter.rating, letter.solved = Rating(rating), solved == "yes"
    letter.status = workflow.after_rating(letter.solved)
    history.add_event(
        db, letter, EventKind.RATING, by_writer=True, old_status=old, detail=f"{rating}:{solved}"
    )
    _audit(db, AuditAction.MAILBOX_LETTER_RATE, letter, rating=rating, solved=letter.solved)


def may_reopen(letter: Letter) -> bool:
    return letter.rating is Rating.UNSATISFIED and not letter.reopened and letter.status in workflow.CLOSED


def reopen(db: Session, notifier: Notifier, tree: OrgTree, letter: Letter, *, reason: str) -> None:
    """Once, after an unsatisfied rating: the letter is handled again on a fresh deadline."""
    if not may_reopen(letter):
        raise Conflict(_("A letter can be reopened once, after rating its reply unsatisfactory."))
    reason = reason.strip()
    if not reason:
        raise FormInvalid({"reopen_reason": _("Say what is still wrong.")})
    old = letter.status
    letter.status, letter.reopened, letter.rating, letter.solved = Status.IN_PROGRESS, True, None, None
    clock.start(db, tree, letter)
    history.add_event(db, letter, EventKind.REOPEN, by_writer=True, old_status=old, body=reason[:MAX_TEXT])
    _audit(db, AuditAction.MAILBOX_LETTER_REOPEN, letter, old=old.value)
    history.tell_secretaries(db, notifier, tree, letter, new=False)
