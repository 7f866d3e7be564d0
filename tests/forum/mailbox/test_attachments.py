"""Attachments: checked by their bytes, capped, stored outside the code tree, served only to
those who may see the letter."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select
from starlette.testclient import TestClient

from forum.mailbox import attachments
from forum.mailbox.models import Attachment, Letter
from grassroots import uploads
from grassroots.db import Database
from grassroots.settings import Settings
from tests.conftest import csrf_from, field_error, log_in, page

from .conftest import Mailbox, letter_form, tracking_code


def _image(fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, fmt, **options)
    return out.getvalue()


PNG = _image("PNG")
PDF = b"%PDF-1.7\n" + b"0" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def _send(client: TestClient, org_id: int, files: dict[str, tuple[str, bytes, str]]):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/mailbox/write"))
    return client.post("/mailbox/write", data={**letter_form(org_id), "csrf_token": token}, files=files)


def test_files_are_known_by_their_bytes_and_pictures_drawn_again() -> None:
    accepted = attachments.ACCEPTED
    assert uploads.check(PNG, accepted).content_type == "image/png"  # type: ignore[union-attr]
    assert uploads.check(_image("JPEG"), accepted).content_type == "image/jpeg"  # type: ignore[union-attr]
    assert uploads.check(_image("GIF"), accepted).content_type == "image/png"  # type: ignore[union-attr]
    assert uploads.check(_image("WEBP"), accepted).content_type == "image/jpeg"  # type: ignore[union-attr]
    assert uploads.check(PDF, accepted).content_type == "application/pdf"  # type: ignore[union-attr]
    assert uploads.check(EXE, accepted) is None
    assert uploads.check(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, accepted) is None  # a PNG in name only
    assert uploads.check(b"<svg onload=alert(1)>", accepted) is None
    assert attachments.clean_name("..\\..\\etc/passwd") == "passwd"


def test_an_anonymous_writers_photo_keeps_no_trace_of_where_it_was_taken(
    client: TestClient, database: Database, mailbox: Mailbox, settings: Settings
) -> None:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 5.0), 3: "E", 4: (121.0, 28.0, 1.0)}  # GPS
    photo = _image("JPEG", exif=exif)
    assert Image.open(io.BytesIO(photo)).getexif()
    response = _send(client, mailbox.world.branch_a.id, {"attachment1": ("楼道.jpg", photo, "image/jpeg")})
    assert response.status_code == 303
    with database.reading() as db:
        stored = db.scalars(select(Attachment)).one()
    kept = (settings.data_dir / "uploads" / "mailbox" / stored.stored_name).read_bytes()
    assert not Image.open(io.BytesIO(kept)).getexif() and b"GPS" not in kept


def test_a_picture_is_kept_and_shown_only_to_those_who_may_see_the_letter(
    client: TestClient, database: Database, mailbox: Mailbox, settings: Settings
) -> None:
    response = _send(
        client,
        mailbox.world.branch_a.id,
        {"attachment1": ("灯.jpg", PNG, "image/jpeg"), "attachment2": ("说明.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303
    code = tracking_code(client.get(response.headers["location"]))
    with database.reading() as db:
        stored = list(db.scalars(select(Attachment).order_by(Attachment.id)))
    assert [a.content_type for a in stored] == ["image/png", "application/pdf"]  # what the bytes are
    path = settings.data_dir / "uploads" / "mailbox" / stored[0].stored_name
    assert Image.open(io.BytesIO(path.read_bytes())).format == "PNG" and "灯" not in stored[0].stored_name
    links = page(client.get("/mailbox/track", params={"code": code})).select(
        ".card a[href^='/mailbox/attachments/']"
    )
    assert [a.get_text() for a in links] == ["灯.jpg", "说明.pdf"]
    served = client.get(str(links[0]["href"]))
    assert served.status_code == 200 and served.content == path.read_bytes()
    assert served.headers["content-type"] == "image/png"
    assert client.get(str(links[1]["href"])).headers["content-disposition"].startswith("attachment")
    client.cookies.clear()
    assert client.get(f"/mailbox/attachments/{stored[0].id}").status_code == 404
    assert client.get(f"/mailbox/attachments/{stored[0].id}?code=2222-3333-4444-5555").status_code == 404
    log_in(client, "other")
    assert client.get(f"/mailbox/attachments/{stored[0].id}").status_code == 404
    client.cookies.clear()
    log_in(client, "secretary")
    assert client.get(f"/mailbox/attachments/{stored[0].id}").status_code == 200
    assert client.get("/mailbox/attachments/99999").status_code == 404


def test_an_executable_renamed_jpg_is_refused_and_the_letter_kept(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    response = _send(client, mailbox.world.branch_a.id, {"attachment1": ("photo.jpg", EXE, "image/jpeg")})
    assert response.status_code == 400
    assert "photo.jpg" in field_error(response, "attachments")
    assert page(response).select_one(".error-summary[role=alert]") is not None  # attach again
    assert page(response).select_one("#f-body").get_text() == letter_form(0)["body"]
    with database.reading() as db:
        assert db.scalars(select(Letter)).first() is None


def test_a_file_over_the_cap_is_refused_with_the_text_kept(
    client: TestClient, mailbox: Mailbox, settings: Settings
) -> None:
    big = PNG + b"\x00" * settings.mailbox_attachment_bytes
    response = _send(client, mailbox.world.branch_a.id, {"attachment1": ("big.png", big, "image/png")})
    assert response.status_code == 400 and "big.png" in field_error(response, "attachments")
    assert page(response).select_one("#f-subject")["value"] == letter_form(0)["subject"]


def test_a_20_mb_upload_gets_the_friendly_413_page(client: TestClient, mailbox: Mailbox) -> None:
    huge = PNG + b"\x00" * (20 * 1024 * 1024)
    response = _send(client, mailbox.world.branch_a.id, {"attachment1": ("huge.png", huge, "image/png")})
    assert response.status_code == 413
    assert page(response).select_one("h1") is not None
