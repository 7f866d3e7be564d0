"""Publishing a letter the writer agreed to publish: the secretary removes personal details,
moderation screens the text, and the letter appears on /mailbox/ with its reply. Internal
notes and the writer's contact are never part of it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grassroots import audit, markup
from grassroots.accounts.models import User
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import Conflict
from grassroots.i18n import gettext as _
from moderation import screening
from moderation.screening import Outcome

from . import history, redaction
from .models import EventKind, Letter, LetterEvent, Publication, Status

CONTENT_KIND = "mailbox.letter"
# Where the queue says a published letter lives; stored with the queue item and filtered by,
# so it is a name like a board's, the same in every language.
PLACE = "书记信箱"
PUBLISHABLE = frozenset({Status.REPLIED, Status.CLOSED, Status.CLOSED_UNSOLVED})
PAGE = 20


def may_publish(letter: Letter) -> bool:
    return letter.consent_publish and letter.status in PUBLISHABLE and letter.publication is Publication.NONE


def replies(db: Session, letter: Letter) -> list[str]:
    query = select(LetterEvent.body_source).where(
        LetterEvent.letter_id == letter.id, LetterEvent.kind == EventKind.REPLY
    )
    return list(db.scalars(query.order_by(LetterEvent.id)))


def candidates(db: Session, letter: Letter, extra_names: str = "") -> list[str]:
    """What to offer for removal: numbers found, and the names marked by the writer or typed
    by the secretary that occur in the letter or its replies."""
    names = redaction.split_names(letter.redact_names) + redaction.split_names(extra_names)
    return redaction.find([letter.subject, letter.body_source, *replies(db, letter)], names)


def _public_texts(db: Session, letter: Letter, chosen: Iterable[str]) -> tuple[str, str, str]:
    chosen = list(chosen)
    reply = "\n\n---\n\n".join(replies(db, letter))
    return (
        redaction.redact(letter.subject, chosen),
        redaction.redact(letter.body_source, chosen),
        redaction.redact(reply, chosen),
    )


def preview(db: Session, letter: Letter, chosen: Iterable[str]) -> tuple[str, str, str]:
    """(subject, body HTML, reply HTML) as they would be published."""
    subject, body, reply = _public_texts(db, letter, chosen)
    return subject, markup.render(body), markup.render(reply)


def publish(db: Session, letter: Letter, *, actor: User, chosen: Iterable[str]) -> Publication:
    """Publish with the chosen details removed. Raises Conflict when the letter may not be
    published, moderation's Blocked when its text may not appear at all."""
    if not may_publish(letter):
        raise Conflict(_("Only a replied letter whose writer agreed can be published, and only once."))
    subject, body, reply = _public_texts(db, letter, chosen)
    submission = screening.Submission(
        kind=CONTENT_KIND,
        organization_id=letter.organization_id,
        author_id=actor.id,
        text=f"{body}\n\n{reply}",
        title=subject,
        place=PLACE,
    )
    verdict = screening.screen(db, submission)
    held = verdict.outcome is Outcome.HOLD
    letter.public_subject, letter.public_text = subject[:120], body
    letter.public_body_html, letter.public_reply_html = markup.render(body), markup.render(reply)
    letter.publication = Publication.HELD if held else Publication.PUBLIC
    letter.published_at, letter.published_by_id = (None if held else utcnow()), actor.id
    screening.recorded(db, submission, verdict, letter.id)
    history.add_event(db, letter, EventKind.PUBLISHED, actor=actor)
    audit.record(
        db,
        actor=actor,
        action=AuditAction.MAILBOX_LETTER_PUBLISH,
        subject=letter,
        organization_id=letter.organization_id,
        data={"held": held},
    )
    return letter.publication


def list_published(
    db: Session, *, organization_id: int | None = None, words: str = "", page: int = 1
) -> tuple[list[Letter], bool]:
    query = select(Letter).where(Letter.publication == Publication.PUBLIC)
    if organization_id is not None:
        query = query.where(Letter.organization_id == organization_id)
    for word in words.split()[:5]:
        query = query.where(
            Letter.public_subject.contains(word, autoescape=True)
            | Letter.public_text.contains(word, autoescape=True)
        )
    query = (
        query.order_by(Letter.published_at.desc(), Letter.id.desc()).offset((page - 1) * PAGE).limit(PAGE + 1)
    )
    rows = list(db.scalars(query))
    return rows[:PAGE], len(rows) > PAGE


def published_count(db: Session, organization_id: int) -> int:
    query = select(func.count()).where(
        Letter.organization_id == organization_id, Letter.publication == Publication.PUBLIC
    )
    return db.scalar(query) or 0
