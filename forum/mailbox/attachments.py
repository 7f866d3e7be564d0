"""Files sent with a letter: images and PDF, recognized by their first bytes (never by name
or the browser's word), size-capped, stored under random names in the data directory, and
read back only for those who may see the letter."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots import uploads
from grassroots.errors import FormInvalid
from grassroots.i18n import gettext as _
from grassroots.web import Upload

from .models import Attachment, Letter

MAX_FILES = 3
ACCEPTED = {uploads.FileKind.IMAGE, uploads.FileKind.PDF}


def check(files: Sequence[Upload], max_bytes: int) -> list[tuple[str, uploads.Checked]]:
    """Each file's name and what it really is, made safe to keep: pictures are drawn again by
    the shared checker, which drops their EXIF (a phone's GPS position would say where an
    anonymous writer lives). Raises FormInvalid naming the first file refused."""
    if len(files) > MAX_FILES:
        raise FormInvalid({"attachments": _("Attach at most %(count)d files.", count=MAX_FILES)})
    checked = []
    for upload in files:
        name = clean_name(upload.filename)
        if len(upload.data) > max_bytes:
            raise FormInvalid(
                {"attachments": _("%(name)s is larger than %(kib)d KB.", name=name, kib=max_bytes // 1024)}
            )
        found = uploads.check(upload.data, ACCEPTED)
        if found is None:
            raise FormInvalid(
                {"attachments": _("%(name)s is not a picture (PNG, JPEG, GIF, WebP) or a PDF.", name=name)}
            )
        checked.append((name, found))
    return checked


def clean_name(filename: str) -> str:
    name = PurePosixPath(filename.replace("\\", "/")).name.strip() or "file"
    return "".join(ch for ch in name if ch.isprintable())[:120]


def store(db: Session, directory: Path, letter: Letter, checked: list[tuple[str, uploads.Checked]]) -> None:
    if not checked:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for name, found in checked:
        stored = secrets.token_hex(16)
        (directory / stored).write_bytes(found.data)
        db.add(
            Attachment(
                letter_id=letter.id,
                stored_name=stored,
                filename=name,
                content_type=found.content_type,
                size=len(found.data),
            )
        )


def list_for(db: Session, letter: Letter) -> list[Attachment]:
    return list(
        db.scalars(select(Attachment).where(Attachment.letter_id == letter.id).order_by(Attachment.id))
    )


def read(directory: Path, attachment: Attachment) -> bytes:
    return (directory / attachment.stored_name).read_bytes()
