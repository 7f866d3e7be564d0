"""The secretary's inbox and the workflow of a letter, through the pages."""

from __future__ import annotations

from sqlalchemy import select
from starlette.testclient import TestClient

from forum.mailbox import handling, inbox
from forum.mailbox.models import Letter, Status
from grassroots.accounts.models import User
from grassroots.accounts.tree import load_org_tree
from grassroots.audit import AuditAction, AuditEntry
from grassroots.db import Database
from grassroots.mail import OutgoingMail
from grassroots.notifications import Notification, Notifier
from tests.conftest import QueryCounter, field_error, log_in, page, submit

from .conftest import Mailbox, as_writer, secretary_act, store_letter, write_letter


def _letter(database: Database, letter_id: int) -> Letter:
    with database.reading() as db:
        return db.get_one(Letter, letter_id)


def _newest_id(database: Database) -> int:
    with database.reading() as db:
        return db.scalars(select(Letter.id).order_by(Letter.id.desc())).first() or 0


def _written_by_resident(
    client: TestClient, database: Database, mailbox: Mailbox, **changes: str
) -> tuple[int, str]:
    log_in(client, "resident")
    code = write_letter(client, mailbox.world.branch_a.id, **changes)
    client.cookies.clear()
    return _newest_id(database), code


def test_the_inbox_lists_only_letters_one_answers_for(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    write_letter(client, mailbox.world.branch_a.id, subject="甲")
    write_letter(client, mailbox.world.branch_b.id, subject="乙")
    log_in(client, "secretary")
    subjects = [a.get_text(strip=True) for a in page(client.get("/mailbox/inbox")).select(".letter-row a")]
    assert subjects == ["甲"]
    client.cookies.clear()
    log_in(client, "chief")  # the committee's secretary reaches both branches
    subjects = [
        a.get_text(strip=True)
        for a in page(client.get("/mailbox/inbox?order=oldest")).select(".letter-row a")
    ]
    assert subjects == ["甲", "乙"]
    subjects = [
        a.get_text(strip=True)
        for a in page(client.get("/mailbox/inbox?org=branch-b")).select(".letter-row a")
    ]
    assert subjects == ["乙"]


def test_the_inbox_filters_by_status_and_category(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    write_letter(client, mailbox.world.branch_a.id, subject="建议一", category="suggestion")
    write_letter(client, mailbox.world.branch_a.id, subject="投诉一", category="complaint")
    log_in(client, "secretary")
    rows = page(client.get("/mailbox/inbox?category=complaint")).select(".letter-row a")
    assert [a.get_text(strip=True) for a in rows] == ["投诉一"]
    secretary_act(client, _newest_id(database), "status", {"status": "accepted"})
    rows = page(client.get("/mailbox/inbox?status=accepted")).select(".letter-row a")
    assert [a.get_text(strip=True) for a in rows] == ["投诉一"]


def test_the_inbox_is_for_secretaries(client: TestClient, mailbox: Mailbox) -> None:
    assert client.get("/mailbox/inbox").status_code == 303
    log_in(client, "resident")
    assert client.get("/mailbox/inbox").status_code == 403


def test_the_workflow_is_audited_kept_in_history_and_told(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    letter_id, code = _written_by_resident(client, database, mailbox)
    log_in(client, "secretary")
    assert secretary_act(client, letter_id, "status", {"status": "accepted"}).status_code == 303
    assert secretary_act(client, letter_id, "status", {"status": "in_progress"}).status_code == 303
    assert secretary_act(client, letter_id, "note", {"note": "内部：找物业"}).status_code == 303
    assert secretary_act(client, letter_id, "reply", {"reply": "已联系物业，本周修好。"}).status_code == 303
    letter = _letter(database, letter_id)
    assert letter.status is Status.REPLIED and letter.first_replied_at and letter.replied_on_time
    with database.reading() as db:
        actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.subject_id == str(letter_id))))
        assert actions.count(AuditAction.MAILBOX_LETTER_STATUS) == 2
        assert AuditAction.MAILBOX_LETTER_REPLY in actions
        kinds = list(db.scalars(select(Notification.kind).where(Notification.user_id == mailbox.resident.id)))
        assert kinds == ["mailbox.status", "mailbox.status", "mailbox.reply"]
    client.cookies.clear()
    history = (
        page(client.get("/mailbox/track", params={"code": code})).select_one(".letter-history").get_text()
    )
    assert "已受理" in history and "办理中" in history and "已联系物业" in history
    assert "内部：找物业" not in history  # internal notes stay internal


def test_a_status_change_that_skips_the_workflow_is_refused(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    write_letter(client, mailbox.world.branch_a.id)
    log_in(client, "secretary")
    letter_id = _newest_id(database)
    response = secretary_act(client, letter_id, "status", {"status": "closed", "reason": "不用办了"})
    assert response.status_code == 409
    assert page(response).select_one("#f-reason").get_text() == "不用办了"
    reply = secretary_act(client, letter_id, "reply", {"reply": "答复"})
    assert reply.status_code == 409 and page(reply).select_one("#f-reply").get_text() == "答复"
    assert _letter(database, letter_id).status is Status.RECEIVED


def test_declining_needs_a_reason_the_writer_reads(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    code = write_letter(client, mailbox.world.branch_a.id)
    log_in(client, "secretary")
    letter_id = _newest_id(database)
    response = secretary_act(client, letter_id, "status", {"status": "declined", "reason": ""})
    assert response.status_code == 400 and field_error(response, "reason")
    secretary_act(client, letter_id, "status", {"status": "declined", "reason": "不属于本支部职责"})
    client.cookies.clear()
    assert "不属于本支部职责" in client.get("/mailbox/track", params={"code": code}).text


def test_a_reply_by_another_organizations_secretary_is_forbidden(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    write_letter(client, mailbox.world.branch_a.id)
    letter_id = _newest_id(database)
    log_in(client, "secretary")
    token_page = client.get(f"/mailbox/inbox/{letter_id}")
    client.cookies.clear()
    log_in(client, "other")
    assert client.get(f"/mailbox/inbox/{letter_id}").status_code == 403
    response = submit(client, "/mailbox/inbox", f"/mailbox/inbox/{letter_id}/reply", {"reply": "越权答复"})
    assert response.status_code == 403 and token_page.status_code == 200
    assert client.get("/mailbox/inbox/99999").status_code == 404


def test_a_letter_is_transferred_to_the_parent_not_to_a_sibling(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    code = write_letter(client, mailbox.world.branch_a.id)
    letter_id = _newest_id(database)
    log_in(client, "secretary")
    refused = secretary_act(
        client, letter_id, "transfer", {"target": str(mailbox.world.branch_b.id), "transfer_note": "请办理"}
    )
    assert refused.status_code == 400 and field_error(refused, "target")
    assert page(refused).select_one("#f-transfer_note").get_text() == "请办理"
    done = secretary_act(
        client,
        letter_id,
        "transfer",
        {"target": str(mailbox.world.committee.id), "transfer_note": "需党委协调"},
    )
    assert done.status_code == 303
    letter = _letter(database, letter_id)
    assert letter.organization_id == mailbox.world.committee.id and letter.status is Status.RECEIVED
    assert client.get(f"/mailbox/inbox/{letter_id}").status_code == 403  # no longer branch A's
    client.cookies.clear()
    history = (
        page(client.get("/mailbox/track", params={"code": code})).select_one(".letter-history").get_text()
    )
    assert "社区党委" in history and "需党委协调" not in history
    log_in(client, "chief")
    assert "需党委协调" in client.get(f"/mailbox/inbox/{letter_id}").text


def test_the_inbox_reads_a_fixed_number_of_queries(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    write_letter(client, mailbox.world.branch_a.id)
    log_in(client, "secretary")
    client.get("/mailbox/inbox")
    with QueryCounter(database) as few:
        client.get("/mailbox/inbox?overdue=0")
    for _ in range(5):
        write_letter(client, mailbox.world.branch_a.id)
    with QueryCounter(database) as many:
        response = client.get("/mailbox/inbox?overdue=0")
    assert len(page(response).select(".letter-row")) == 6
    assert few.count == many.count


def test_the_inbox_pages_without_counting_the_whole_inbox(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    with database.writing() as db:
        for n in range(inbox.PAGE + 1):
            store_letter(db, mailbox.world.branch_a.id, f"第{n}封")
    log_in(client, "secretary")
    first = page(client.get("/mailbox/inbox?category=question&order=oldest"))
    assert len(first.select(".letter-row")) == inbox.PAGE
    following = first.select_one("a[rel=next]")
    assert following is not None and "category=question" in str(following["href"])
    second = page(client.get(str(following["href"])))
    assert [a.get_text() for a in second.select(".letter-row a")] == [f"第{inbox.PAGE}封"]
    assert second.select_one("a[rel=next]") is None and second.select_one("a[rel=prev]") is not None


def test_a_writer_without_an_account_is_mailed_at_the_address_given(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    write_letter(client, mailbox.world.branch_a.id, contact="zhang@example.org")
    write_letter(client, mailbox.world.branch_a.id, contact="13812345678")
    with database.writing() as db:
        tree = load_org_tree(db)
        secretary = db.get_one(User, mailbox.secretary.id)
        for letter in db.scalars(select(Letter)):
            handling.change_status(
                db, Notifier(site_url="https://gr.example.org", mail_enabled=True), tree, letter,
                actor=secretary, target="accepted", reason="",
            )  # fmt: skip
    with database.reading() as db:
        (mail,) = db.scalars(select(OutgoingMail))
    assert mail.to_address == "zhang@example.org" and "楼道灯坏了" in mail.subject
    assert "https://gr.example.org/mailbox/track" in mail.body


def test_secretaries_hear_of_new_letters_transfers_and_writers_messages(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    code = write_letter(client, mailbox.world.branch_a.id)
    letter_id = _newest_id(database)
    log_in(client, "secretary")
    secretary_act(client, letter_id, "status", {"status": "accepted"})
    client.cookies.clear()
    as_writer(client, code, "answer", {"message_text": "补充：3号楼"})
    log_in(client, "secretary")
    secretary_act(
        client,
        letter_id,
        "transfer",
        {"target": str(mailbox.world.committee.id), "transfer_note": "请党委协调"},
    )

    def kinds(user_id: int) -> list[str]:
        with database.reading() as db:
            query = select(Notification.kind).where(Notification.user_id == user_id).order_by(Notification.id)
            return list(db.scalars(query))

    assert kinds(mailbox.secretary.id) == ["mailbox.new", "mailbox.writer"]
    assert kinds(mailbox.committee_secretary.id) == ["mailbox.new"]
    assert kinds(mailbox.other_secretary.id) == []
    shown = page(client.get("/me/notifications")).select_one(".notification-list").get_text()
    assert "本组织书记信箱收到来信：“楼道灯坏了”" in shown and "“楼道灯坏了”的来信人又来信了" in shown
