"""A candidate's photo and video and a notice's PDF, checked by content and served back (the
video with range requests); objections during a publicity period, screened by moderation and
handled by the secretary."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlalchemy import select
from starlette.testclient import TestClient

from disclosure.models import Objection
from grassroots.audit import AuditEntry
from grassroots.db import Database
from grassroots.uploads import StoredFile
from moderation.models import QueueItem
from tests.conftest import csrf_from, field_error, page, submit
from tests.disclosure.conftest import CANDIDATE, NOTICE, Desk, publish, published_id, signed_in

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 40


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (2400, 3000), (200, 60, 60))
    exif = Image.Exif()
    exif[0x010F] = "手机厂商"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # GPS: where the photo was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _upload(client: TestClient, disclosure_id: int, files: dict[str, tuple[str, bytes, str]]) -> Any:
    where = f"/disclosure/upload/{disclosure_id}/media"
    return client.post(where, data={"csrf_token": csrf_from(client.get(where))}, files=files)


def test_a_candidates_photo_loses_its_exif_and_shrinks_and_the_video_seeks(
    app: Any, client: TestClient, database: Database, desk: Desk
) -> None:
    secretary = signed_in(app, "secretary")
    candidate_id = published_id(publish(secretary, "candidates", CANDIDATE))
    photo = _photo_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif()
    done = _upload(
        secretary,
        candidate_id,
        {"photo": ("me.jpg", photo, "image/jpeg"), "video": ("me.mp4", MP4, "video/mp4")},
    )
    assert done.status_code == 303, done.text
    profile = page(client.get(f"/disclosure/candidates/{candidate_id}"))
    src = profile.select_one("img.portrait")["src"]
    served = client.get(src)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    stored = Image.open(io.BytesIO(served.content))
    assert max(stored.size) == 1200 and not stored.getexif()
    video = profile.select_one("video")["src"]
    part = client.get(video, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.content) == 100 and part.content == MP4[100:200]
    history = client.get(f"/disclosure/candidates/{candidate_id}/history")
    assert len(page(history).select("table.revisions tbody tr")) == 2
    with database.reading() as db:
        assert {f.kind for f in db.scalars(select(StoredFile))} == {"image", "video"}


def test_a_file_that_lies_about_its_type_is_refused_and_a_huge_one_gets_a_413(
    app: Any, database: Database, desk: Desk
) -> None:
    secretary = signed_in(app, "secretary")
    candidate_id = published_id(publish(secretary, "candidates", CANDIDATE))
    program = b"MZ\x90\x00" + b"\x00" * 2000  # a Windows program named like a photo
    refused = _upload(secretary, candidate_id, {"photo": ("photo.jpg", program, "image/jpeg")})
    assert refused.status_code == 400 and field_error(refused, "photo")
    not_video = _upload(secretary, candidate_id, {"video": ("clip.mp4", _photo_with_gps(), "video/mp4")})
    assert not_video.status_code == 400 and field_error(not_video, "video")
    where = f"/disclosure/upload/{candidate_id}/media"
    huge = secretary.post(where, content=b"x" * 10, headers={"Content-Length": str(500 * 1024 * 1024)})
    assert huge.status_code == 413
    notice_id = published_id(publish(secretary, "notices", NOTICE))
    pdf = _upload(
        secretary, notice_id, {"attachment": ("决议.pdf", b"%PDF-1.4\n" + b"0" * 500, "application/pdf")}
    )
    assert pdf.status_code == 303
    assert "决议.pdf" in TestClient(app).get(f"/disclosure/notices/{notice_id}").text
    with database.reading() as db:
        assert [f.kind for f in db.scalars(select(StoredFile))] == ["pdf"]


def test_objections_in_the_publicity_period_are_counted_screened_and_handled_in_public(
    app: Any, client: TestClient, database: Database, desk: Desk
) -> None:
    secretary = signed_in(app, "secretary")
    post_id = published_id(publish(secretary, "candidates", CANDIDATE, publicity_days="5"))
    where = f"/disclosure/object/{post_id}"
    anonymous = TestClient(app, follow_redirects=False)
    empty = submit(anonymous, where, where, {"body": " ", "contact": "13800000000"})
    assert empty.status_code == 400 and field_error(empty, "body")
    assert "13800000000" in empty.text  # what was typed is kept
    sent = submit(anonymous, where, where, {"body": "该同志任职经历有误。", "contact": "13800000000"})
    assert sent.status_code == 200
    shown = page(client.get(f"/disclosure/candidates/{post_id}")).select_one(".publicity-box").get_text()
    assert "收到异议 1 件" in shown and "已处理 0 件" in shown
    # The public never reads the objection or its contact; the secretary does, and answers.
    listing = f"/disclosure/objections/{post_id}"
    assert "任职经历有误" not in client.get(listing).text
    assert "13800000000" in secretary.get(listing).text
    with database.reading() as db:
        objection = db.scalars(select(Objection)).one()
        assert objection.author_id is None
    handled = submit(
        secretary,
        listing,
        listing,
        {"objection": str(objection.id), f"response-{objection.id}": "经核实，已更正。"},
    )
    assert handled.status_code == 303
    assert "经核实，已更正。" in client.get(listing).text
    assert "已处理 1 件" in client.get(f"/disclosure/candidates/{post_id}").text
    again = submit(
        secretary, listing, listing, {"objection": str(objection.id), f"response-{objection.id}": "再次"}
    )
    assert again.status_code == 409
    assert signed_in(app, "member").post(listing, data={"objection": str(objection.id)}).status_code in (
        403,
        400,
    )
    with database.reading() as db:
        actions = set(
            db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("disclosure.objection%")))
        )
        assert actions == {"disclosure.objection.lodge", "disclosure.objection.handle"}


def test_an_objection_with_a_watched_word_waits_for_a_moderator_and_none_is_taken_after_the_period(
    app: Any, client: TestClient, database: Database, desk: Desk
) -> None:
    from grassroots.accounts.models import Role
    from tests.conftest import make_user

    make_user(database, "admin", admin=True)
    admin = signed_in(app, "admin")
    assert (
        submit(
            admin, "/moderation/words", "/moderation/words", {"word": "传销", "action": "hold"}
        ).status_code
        == 303
    )
    secretary = signed_in(app, "secretary")
    notice_id = published_id(publish(secretary, "notices", NOTICE, publicity_days="3"))
    where = f"/disclosure/object/{notice_id}"
    held = submit(TestClient(app), where, where, {"body": "这是传销", "contact": ""})
    assert held.status_code == 200 and "版主" in held.text
    assert "收到异议 0 件" in client.get(f"/disclosure/notices/{notice_id}").text
    with database.reading() as db:
        item = db.scalars(select(QueueItem).where(QueueItem.kind == "disclosure.objection")).one()
        assert item.author_id is None
    make_user(database, "moderator", role=Role.MODERATOR, org=desk.world.branch_a)
    moderator = signed_in(app, "moderator")
    queue = page(moderator.get("/moderation/"))
    assert "未登录提交" in queue.get_text()
    decided = submit(
        moderator,
        "/moderation/",
        "/moderation/decide",
        {"item": f"{item.id}:{item.version}", "decision": "approve"},
    )
    assert decided.status_code == 200
    assert "收到异议 1 件" in client.get(f"/disclosure/notices/{notice_id}").text
    no_period = published_id(publish(secretary, "notices", {**NOTICE, "title": "没有公示期"}))
    refused = submit(
        TestClient(app),
        f"/disclosure/object/{no_period}",
        f"/disclosure/object/{no_period}",
        {"body": "反对"},
    )
    assert refused.status_code == 409 and "反对" in refused.text
