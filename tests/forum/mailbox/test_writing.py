"""Writing a letter and tracking it, through the pages."""

from __future__ import annotations

from sqlalchemy import select
from starlette.testclient import TestClient

from forum.mailbox import deadlines
from forum.mailbox.models import Letter, LetterEvent
from forum.mailbox.routes import TRACK_LIMIT, WRITE_LIMIT
from grassroots.audit import AuditAction, AuditEntry
from grassroots.db import Database
from tests.conftest import field_error, log_in, page, submit

from .conftest import Mailbox, letter_form, write_letter


def _only_letter(database: Database) -> Letter:
    with database.reading() as db:
        return db.scalars(select(Letter)).one()


def test_anyone_writes_and_tracks_a_letter_by_its_code(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    code = write_letter(client, mailbox.world.branch_a.id)
    response = client.get("/mailbox/track", params={"code": code.lower().replace("-", " ")})
    assert response.status_code == 200
    doc = page(response)
    assert doc.select_one("h1").get_text(strip=True) == "楼道灯坏了"
    assert "已收到" in doc.select_one(".thread-tags").get_text()
    assert doc.select_one(".tracking-code") is None  # shown once, when sent
    letter = _only_letter(database)
    assert letter.due_at is not None and letter.month
    assert (
        doc.select_one(".due-day").get_text() == deadlines.due_day(letter.due_at, "Asia/Shanghai").isoformat()
    )
    with database.reading() as db:
        entry = db.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.MAILBOX_LETTER_WRITE)
        ).one()
        assert entry.actor_id is None and entry.subject_id == str(letter.id)


def test_an_anonymous_letter_keeps_nothing_of_its_writer(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    log_in(client, "resident")
    write_letter(client, mailbox.world.branch_a.id, anonymous="1", contact="13812345678")
    letter = _only_letter(database)
    assert letter.writer_id is None and letter.client_address == "" and letter.anonymous
    assert letter.contact == ""
    with database.reading() as db:
        assert all(e.actor_id is None for e in db.scalars(select(LetterEvent)))
        assert all(
            e.actor_id is None
            for e in db.scalars(select(AuditEntry).where(AuditEntry.subject_type == "mailbox_letters"))
        )
    assert page(client.get("/mailbox/mine")).select_one(".letter-list") is None


def test_a_signed_in_writer_finds_the_letter_under_my_letters(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    log_in(client, "resident")
    write_letter(client, mailbox.world.branch_a.id)
    letter = _only_letter(database)
    assert letter.writer_id == mailbox.resident.id
    link = page(client.get("/mailbox/mine")).select_one(".letter-list a")
    assert link is not None and link["href"] == f"/mailbox/mine/{letter.id}"
    assert client.get(f"/mailbox/mine/{letter.id}").status_code == 200


def test_someone_elses_letter_is_not_found_under_my_letters(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    log_in(client, "resident")
    write_letter(client, mailbox.world.branch_a.id)
    letter = _only_letter(database)
    client.cookies.clear()
    log_in(client, "other")
    assert client.get(f"/mailbox/mine/{letter.id}").status_code == 404
    assert client.get("/mailbox/mine/99999").status_code == 404


def test_a_form_with_mistakes_comes_back_with_everything_typed(client: TestClient, mailbox: Mailbox) -> None:
    form = letter_form(mailbox.world.branch_a.id, subject="", category="nonsense")
    response = submit(client, "/mailbox/write", "/mailbox/write", form)
    assert response.status_code == 400
    assert field_error(response, "subject") and field_error(response, "category")
    assert page(response).select_one("#f-body").get_text() == form["body"]
    assert page(response).select_one("#f-contact")["value"] == form["contact"]


def test_a_letter_to_no_organization_is_refused(client: TestClient, mailbox: Mailbox) -> None:
    response = submit(client, "/mailbox/write", "/mailbox/write", letter_form(99999))
    assert response.status_code == 400 and field_error(response, "organization")


def test_a_wrong_code_reads_as_not_found_and_guessing_is_limited(
    client: TestClient, mailbox: Mailbox
) -> None:
    code = write_letter(client, mailbox.world.branch_a.id)
    for guess in ["AAAA-BBBB-CCCC-DDDD", "not a code", *(["2222-3333-4444-5555"] * (TRACK_LIMIT.count - 2))]:
        response = client.get("/mailbox/track", params={"code": guess})
        assert response.status_code == 404
        assert page(response).select_one("#f-code")["value"] == guess
    refused = client.get("/mailbox/track", params={"code": code})
    assert refused.status_code == 429  # even the right code waits now
    assert page(refused).select_one(".tracking-code") is None


def test_the_tracking_form_asks_for_a_code(client: TestClient, mailbox: Mailbox) -> None:
    response = client.get("/mailbox/track")
    assert response.status_code == 200 and page(response).select_one("#f-code") is not None


def test_many_letters_from_one_address_wait_with_the_text_kept(client: TestClient, mailbox: Mailbox) -> None:
    for _ in range(WRITE_LIMIT.count):
        write_letter(client, mailbox.world.branch_a.id)
    form = letter_form(mailbox.world.branch_a.id, body="第十一封信")
    response = submit(client, "/mailbox/write", "/mailbox/write", form)
    assert response.status_code == 429
    assert page(response).select_one("#f-body").get_text() == "第十一封信"
