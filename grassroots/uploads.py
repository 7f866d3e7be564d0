"""Uploaded files: checked by what they contain, never by their name or the type the browser
claims; stored under random names in the data directory, outside the code tree. Photos are
decoded and drawn again by Pillow, which drops their EXIF (a phone's GPS position among it) and
bounds their size. Public files are served at /uploads/NAME with range requests, so a phone can
seek in a video; private ones only through the feature that owns them."""

from __future__ import annotations

import enum
import io
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import Boolean, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from grassroots.db import Base, UTCDateTime, text_enum, utcnow
from grassroots.errors import FormInvalid
from grassroots.i18n import gettext as _

PHOTO_MAX_SIDE = 1200
PHOTO_MAX_PIXELS = 40_000_000  # larger is a decompression bomb, not a photo
NAME_MAX = 200


class FileKind(enum.StrEnum):
    IMAGE = "image"
    PDF = "pdf"
    VIDEO = "video"


class StoredFile(Base):
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)  # random, with the extension
    kind: Mapped[FileKind] = mapped_column(text_enum(FileKind, length=8))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class Checked:
    kind: FileKind
    content_type: str
    extension: str
    data: bytes
    width: int | None = None
    height: int | None = None


def upload_dir(data_dir: Path) -> Path:
    return data_dir / "uploads"


def store(
    db: Session,
    data_dir: Path,
    *,
    field: str,
    filename: str,
    data: bytes,
    allowed: set[FileKind],
    max_bytes: int,
    public: bool = True,
) -> StoredFile:
    """Check `data`, write it under a random name and record it. Raises FormInvalid naming
    `field` when the file is too large or is not one of the `allowed` kinds."""
    if len(data) > max_bytes:
        raise FormInvalid({field: _("The file is larger than %(mb)d MB.", mb=max(1, max_bytes // 1_000_000))})
    checked = check(data, allowed)
    if checked is None:
        accepted = _kinds(allowed)
        raise FormInvalid({field: _("This file is not of a kind accepted here: %(kinds)s.", kinds=accepted)})
    name = f"{secrets.token_urlsafe(16)}.{checked.extension}"
    folder = upload_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(checked.data)
    stored = StoredFile(
        name=name, kind=checked.kind, content_type=checked.content_type, size=len(checked.data),
        original_name=Path(filename).name[:NAME_MAX], public=public, width=checked.width,
        height=checked.height, created_at=utcnow(),
    )  # fmt: skip
    db.add(stored)
    db.flush()
    return stored


def check(data: bytes, allowed: set[FileKind]) -> Checked | None:
    """What `data` really is, made safe to serve (a photo drawn again), or None."""
    if FileKind.PDF in allowed and data.startswith(b"%PDF-"):
        return Checked(FileKind.PDF, "application/pdf", "pdf", data)
    if FileKind.VIDEO in allowed:
        if len(data) > 12 and data[4:8] == b"ftyp":
            return Checked(FileKind.VIDEO, "video/mp4", "mp4", data)
        if data.startswith(b"\x1a\x45\xdf\xa3"):
            return Checked(FileKind.VIDEO, "video/webm", "webm", data)
    if FileKind.IMAGE in allowed:
        return _photo(data)
    return None


def _photo(data: bytes) -> Checked | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ("JPEG", "PNG", "WEBP", "GIF"):
                    return None
                if image.width * image.height > PHOTO_MAX_PIXELS:
                    return None
                image.load()
                source_format = image.format
                drawn = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, Warning):
        return None
    drawn.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    out = io.BytesIO()
    # Screenshots stay PNG (sharp text); photos become JPEG; either way nothing of the original
    # file but its pixels is kept.
    if source_format in ("PNG", "GIF") or drawn.mode in ("RGBA", "LA"):
        drawn.convert("RGBA").save(out, "PNG", optimize=True)
        return Checked(FileKind.IMAGE, "image/png", "png", out.getvalue(), drawn.width, drawn.height)
    drawn.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    return Checked(FileKind.IMAGE, "image/jpeg", "jpg", out.getvalue(), drawn.width, drawn.height)


def _kinds(allowed: set[FileKind]) -> str:
    names = {FileKind.IMAGE: _("photos (JPEG, PNG, WebP, GIF)"), FileKind.PDF: _("PDF"),
             FileKind.VIDEO: _("videos (MP4, WebM)")}  # fmt: skip
    return _(", ").join(names[k] for k in FileKind if k in allowed)


def find_public(db: Session, name: str) -> StoredFile | None:
    return db.scalar(select(StoredFile).where(StoredFile.name == name, StoredFile.public.is_(True)))
