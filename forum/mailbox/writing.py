"""Writing a letter, and finding it again by its tracking code or its writer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots import audit, markup
from grassroots.accounts.models import User
from grassroots.accounts.tree import OrgTree
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import FormInvalid, NotFound
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier
from grassroots.web import Upload

from . import attachments, clock, codes, deadlines, history
from .models import Category, EventKind, Letter

MAX_SUBJECT = 120
MAX_BODY = 20_000
MAX_CONTACT = 200
MAX_NAMES = 400


@dataclass(frozen=True)
class Draft:
    """What the writer typed, as the form sent it."""

    organization_id: int | None
    category: str
    subject: str
    body: str
    contact: str = ""
    redact_names: str = ""
    anonymous: bool = False
    consent_publish: bool = False


def _check(draft: Draft, tree: OrgTree) -> dict[str, str]:
    errors = {}
    if draft.organization_id not in tree.by_id:
        errors["organization"] = _("Choose the organization you are writing to.")
    if draft.category not in Category._value2member_map_:
        errors["category"] = _("Choose what kind of letter this is.")
    if not draft.subject.strip():
        errors["subject"] = _("Please give your letter a subject.")
    elif len(draft.subject.strip()) > MAX_SUBJECT:
        errors["subject"] = _("The subject may be at most %(count)d characters.", count=MAX_SUBJECT)
    if not draft.body.strip():
        errors["body"] = _("Please write your letter.")
    elif len(draft.body) > MAX_BODY:
        errors["body"] = _("A letter may be at most %(count)d characters.", count=MAX_BODY)
    if len(draft.contact) > MAX_CONTACT:
        errors["contact"] = _("Contact details may be at most %(count)d characters.", count=MAX_CONTACT)
    if len(draft.redact_names) > MAX_NAMES:
        errors["redact_names"] = _("At most %(count)d characters.", count=MAX_NAMES)
    return errors


def write_letter(
    db: Session,
    *,
    tree: OrgTree,
    draft: Draft,
    writer: User | None,
    client_address: str,
    uploads: Sequence[Upload] = (),
    upload_dir: Path,
    max_upload_bytes: int,
    notifier: Notifier | None = None,
) -> tuple[Letter, str]:
    """Store the letter and start its clock; returns it with its tracking code, shown once.
    An anonymous letter keeps no account, address or contact. Raises FormInvalid."""
    errors = _check(draft, tree)
    try:
        checked = attachments.check(uploads, max_upload_bytes)
    except FormInvalid as exc:
        errors.update(exc.errors)
    if errors:
        raise FormInvalid(errors)
    assert draft.organization_id is not None
    code, now = codes.new_code(), utcnow()
    zone = clock.timezone_of(tree, draft.organization_id)
    letter = Letter(
        organization_id=draft.organization_id,
        code_digest=codes.digest(code),
        category=Category(draft.category),
        subject=draft.subject.strip(),
        body_source=draft.body,
        body_html=markup.render(draft.body),
        contact="" if draft.anonymous else draft.contact.strip(),
        redact_names=draft.redact_names.strip(),
        anonymous=draft.anonymous,
        consent_publish=draft.consent_publish,
        writer_id=None if draft.anonymous or writer is None else writer.id,
        client_address="" if draft.anonymous else client_address[:64],
        created_at=now,
        month=deadlines.local_date(now, zone).strftime("%Y-%m"),
    )
    clock.start(db, tree, letter, now)
    db.add(letter)
    db.flush()
    attachments.store(db, upload_dir, letter, checked)
    history.add_event(db, letter, EventKind.WRITTEN, by_writer=True)
    history.tell_secretaries(db, notifier or Notifier(), tree, letter, new=True)
    audit.record(
        db,
        actor=None,  # the public log must not say who wrote to the secretary
        action=AuditAction.MAILBOX_LETTER_WRITE,
        subject=letter,
        organization_id=letter.organization_id,
        data={"category": letter.category.value},
    )
    return letter, code


def find_by_code(db: Session, code: str, *, lock: bool = False) -> Letter:
    """Raises NotFound for a code that names no letter (or cannot be a code at all). `lock`
    holds the row until the transaction ends, for a writer's act."""
    letter = None
    if codes.normalize(code):
        query = select(Letter).where(Letter.code_digest == codes.digest(code))
        letter = db.scalar(query.with_for_update() if lock else query)
    if letter is None:
        raise NotFound(_("No letter has this tracking code. Please check it and try again."))
    return letter


def list_mine(db: Session, user_id: int) -> list[Letter]:
    return list(
        db.scalars(select(Letter).where(Letter.writer_id == user_id).order_by(Letter.id.desc()).limit(200))
    )
