"""Files sent with a letter: images and PDF, recognized by their first bytes (never by name
or the browser's word), size-capped, stored under random names in the data directory, and
read back only for those who may see the letter."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots.errors import FormInvalid
from grassroots.i18n import gettext as _
from grassroots.web import Upload

from .models import Attachment, Letter

MAX_FILES = 3
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, of those accepted; None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def check(uploads: Sequence[Upload], max_bytes: int) -> list[tuple[Upload, str]]:
    """Each upload with its real type. Raises FormInvalid naming the first file refused."""
    if len(uploads) > MAX_FILES:
        raise FormInvalid({"attachments": _("Attach at most %(count)d files.", count=MAX_FILES)})
    checked = []
    for upload in uploads:
        name = clean_name(upload.filename)
        if len(upload.data) > max_bytes:
            raise FormInvalid(
                {"attachments": _("%(name)s is larger than %(kib)d KB.", name=name, kib=max_bytes // 1024)}
            )
        kind = sniff(upload.data)
        if kind is None:
            raise FormInvalid(
                {"attachments": _("%(name)s is not a picture (PNG, JPEG, GIF, WebP) or a PDF.", name=name)}
            )
        checked.append((upload, kind))
    return checked


def clean_name(filename: str) -> str:
    name = PurePosixPath(filename.replace("\\", "/")).name.strip() or "file"
    return "".join(ch for ch in name if ch.isprintable())[:120]


def store(db: Session, directory: Path, letter: Letter, checked: list[tuple[Upload, str]]) -> None:
    if not checked:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for upload, kind in checked:
        stored = secrets.token_hex(16)
        (directory / stored).write_bytes(upload.data)
        db.add(
            Attachment(
                letter_id=letter.id,
                stored_name=stored,
                filename=clean_name(upload.filename),
                content_type=kind,
                size=len(upload.data),
            )
        )


def list_for(db: Session, letter: Letter) -> list[Attachment]:
    return list(
        db.scalars(select(Attachment).where(Attachment.letter_id == letter.id).order_by(Attachment.id))
    )


def read(directory: Path, attachment: Attachment) -> bytes:
    return (directory / attachment.stored_name).read_bytes()
