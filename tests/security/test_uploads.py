"""Uploads that lie about their type, through every upload form: a candidate's photo and video
and a notice's PDF (disclosure media), a letter's attachments, and a member roll. Files are
judged by their content: HTML or SVG dressed as a picture is refused; whatever is kept is
served under its checked type with nosniff, never as a page of this site."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from forum.mailbox.models import Attachment
from grassroots.db import Database
from grassroots.uploads import StoredFile
from tests.security.conftest import PNG, Scene, SceneTemplate, token_of
from tests.security.test_headers import missing_headers


# How a file is judged and served does not depend on the backend: SQLite only, for time.
@pytest.fixture
def scene_template(sqlite_scene: SceneTemplate) -> SceneTemplate:
    return sqlite_scene


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
LIARS = [
    ("photo.png", "image/png", HTML),
    ("photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + HTML),  # a JPEG's first bytes, then a page
    ("drawing.svg", "image/svg+xml", SVG),
    ("drawing.png", "image/png", SVG),
    ("anim.gif", "image/gif", b"GIF89a" + HTML),
    ("page.html", "text/html", HTML),
    ("script.js", "application/javascript", b"alert(1)"),
    ("empty.png", "image/png", b"\x89PNG\r\n\x1a\n"),
]
# Files whose first bytes make them what they claim, with a page hidden inside.
DISGUISED = [
    ("report.pdf", "application/pdf", b"%PDF-1.4\n" + HTML),
    ("clip.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42" + HTML),
]
SERVED_AS = {"report.pdf": "application/pdf", "clip.mp4": "video/mp4"}


def as_file(upload: tuple[str, str, bytes]) -> tuple[str, bytes, str]:
    """(name, claimed type, content) as httpx sends it: (name, content, type)."""
    name, claimed, content = upload
    return name, content, claimed


def _files(database: Database) -> set[str]:
    with database.reading() as db:
        return set(db.scalars(select(StoredFile.name))) | set(db.scalars(select(Attachment.stored_name)))


def _media(client: TestClient, disclosure_id: int, field: str, upload: tuple[str, str, bytes]):  # type: ignore[no-untyped-def]
    path = f"/disclosure/upload/{disclosure_id}/media"
    return client.post(path, data={"csrf_token": token_of(client)}, files={field: as_file(upload)})


def _letter(client: TestClient, scene: Scene, upload: tuple[str, str, bytes]):  # type: ignore[no-untyped-def]
    data = {
        "organization": str(scene["org_id"]),
        "category": "suggestion",
        "subject": "附件",
        "body": "请看附件。",
        "csrf_token": token_of(client),
    }
    return client.post("/mailbox/write", data=data, files={"attachment1": as_file(upload)})


FORMS = ["photo", "video", "attachment", "letter"]


def _send(client: TestClient, scene: Scene, form: str, upload: tuple[str, str, bytes]):  # type: ignore[no-untyped-def]
    if form == "letter":
        return _letter(client, scene, upload)
    target = scene["notice"] if form == "attachment" else scene["candidate"]
    return _media(client, target, form, upload)


@pytest.mark.parametrize("form", FORMS)
def test_files_that_lie_are_refused(
    as_role: Callable[[str], TestClient], scene: Scene, database: Database, form: str
) -> None:
    secretary = as_role("secretary")
    before = _files(database)
    for upload in LIARS:
        response = _send(secretary, scene, form, upload)
        assert response.status_code == 400, (form, upload[0], response.status_code)
    assert _files(database) == before


def test_pages_inside_real_headers_are_served_as_files(
    as_role: Callable[[str], TestClient], scene: Scene, database: Database
) -> None:
    secretary = as_role("secretary")
    pdf, mp4 = DISGUISED
    for form, upload in (("attachment", pdf), ("video", mp4), ("letter", pdf)):
        before = _files(database)
        response = _send(secretary, scene, form, upload)
        assert response.status_code == 303, (form, response.status_code)
        (added,) = _files(database) - before
        with database.reading() as db:
            public = db.scalar(select(StoredFile).where(StoredFile.name == added))
            attachment = db.scalar(select(Attachment).where(Attachment.stored_name == added))
        if public is not None:
            served = secretary.get(f"/uploads/{public.name}")
        else:
            assert attachment is not None
            served = secretary.get(f"/mailbox/attachments/{attachment.id}")
            assert served.headers["content-disposition"].startswith("attachment;")
        assert served.status_code == 200
        assert served.headers["content-type"].split(";")[0] == SERVED_AS[upload[0]]
        assert not missing_headers(served)


def test_a_photo_is_drawn_again(
    as_role: Callable[[str], TestClient], scene: Scene, database: Database
) -> None:
    """What is kept of a picture is its pixels: bytes appended to a real PNG do not survive."""
    secretary = as_role("secretary")
    before = _files(database)
    response = _media(secretary, scene["candidate"], "photo", ("me.png", "image/png", PNG + HTML))
    assert response.status_code == 303
    (added,) = _files(database) - before
    served = secretary.get(f"/uploads/{added}")
    assert served.headers["content-type"] == "image/png"
    assert b"<script" not in served.content


def test_a_file_lost_from_the_disk_is_not_found(
    as_role: Callable[[str], TestClient], scene: Scene, settings
) -> None:  # type: ignore[no-untyped-def]
    for folder in (settings.data_dir / "uploads").rglob("*"):
        if folder.is_file():
            folder.unlink()
    secretary = as_role("secretary")
    assert secretary.get(f"/mailbox/attachments/{scene['attachment']}").status_code == 404
    assert secretary.get(f"/uploads/{scene['upload']}").status_code == 404


@pytest.mark.parametrize("content", [HTML, SVG, b"\x00\xff" * 500, "名字,用户名\n".encode("utf-16")])
def test_a_member_roll_that_is_not_text_is_refused_kindly(
    as_role: Callable[[str], TestClient], scene: Scene, content: bytes
) -> None:
    secretary = as_role("secretary")
    response = secretary.post(
        f"/o/{scene['branch']}/members/roll",
        data={"csrf_token": token_of(secretary)},
        files={"roll_file": ("roll.csv", content, "text/csv")},
    )
    assert response.status_code in (200, 303, 400), response.status_code
    assert b"<script>alert" not in response.content
