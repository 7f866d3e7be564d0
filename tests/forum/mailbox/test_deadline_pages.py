"""Deadlines through the pages: overdue flags, the pause while waiting, one extension, and
each organization's working days and holidays."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from starlette.testclient import TestClient

from forum.mailbox import clock, deadlines
from forum.mailbox.models import Holiday, Letter, MailboxSettings
from grassroots.accounts.tree import load_org_tree
from grassroots.db import Database, utcnow
from tests.conftest import field_error, log_in, page, submit

from .conftest import Mailbox, as_writer, newest_letter, secretary_act, write_letter


def _letter_by_subject(database: Database, subject: str) -> Letter:
    with database.reading() as db:
        return db.scalars(select(Letter).where(Letter.subject == subject)).one()


def _age(database: Database, letter_id: int, days: int) -> None:
    """Make the letter as if received `days` days ago."""
    with database.writing() as db:
        letter = db.get_one(Letter, letter_id)
        letter.created_at = letter.clock_start = utcnow() - timedelta(days=days)
        clock.recompute(db, load_org_tree(db), letter)


def test_an_overdue_letter_is_flagged_and_filtered(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    write_letter(client, mailbox.world.branch_a.id, subject="旧信")
    _age(database, newest_letter(database).id, 30)
    code = write_letter(client, mailbox.world.branch_a.id, subject="新信")
    log_in(client, "secretary")
    rows = page(client.get("/mailbox/inbox?overdue=1")).select(".letter-row")
    assert [r.select_one("a").get_text(strip=True) for r in rows] == ["旧信"]
    assert "overdue" in rows[0]["class"]
    old = _letter_by_subject(database, "旧信")
    assert old.due_at is not None
    assert (
        rows[0].select_one(".due-day").get_text()
        == deadlines.due_day(old.due_at, "Asia/Shanghai").isoformat()
    )
    client.cookies.clear()
    assert page(client.get("/mailbox/track", params={"code": code})).select_one(".tag.warn") is None


def test_waiting_for_the_writer_pauses_the_clock(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    code = write_letter(client, mailbox.world.branch_a.id)
    letter_id = newest_letter(database).id
    log_in(client, "secretary")
    secretary_act(client, letter_id, "status", {"status": "accepted"})
    due = newest_letter(database).due_at
    assert (
        secretary_act(
            client, letter_id, "status", {"status": "waiting", "reason": "请提供门牌号"}
        ).status_code
        == 303
    )
    assert newest_letter(database).due_at is None and newest_letter(database).paused_at is not None
    client.cookies.clear()
    as_writer(client, code, "answer", {"message_text": "3号楼2单元"})
    letter = newest_letter(database)
    assert letter.status == "in_progress" and letter.paused_at is None and letter.due_at == due


def test_the_deadline_is_extended_once_with_a_reason_the_writer_reads(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    code = write_letter(client, mailbox.world.branch_a.id)
    letter_id = newest_letter(database).id
    due = newest_letter(database).due_at
    log_in(client, "secretary")
    missing = secretary_act(client, letter_id, "extend", {"days": "3", "extension_reason": ""})
    assert missing.status_code == 400 and field_error(missing, "extension_reason")
    assert (
        secretary_act(
            client, letter_id, "extend", {"days": "3", "extension_reason": "需要现场勘查"}
        ).status_code
        == 303
    )
    letter = newest_letter(database)
    assert (
        letter.extension_days == 3 and letter.due_at is not None and due is not None and letter.due_at > due
    )
    again = secretary_act(client, letter_id, "extend", {"days": "2", "extension_reason": "还要再等"})
    assert again.status_code == 409
    assert page(again).select_one("#f-extension_reason").get_text() == "还要再等"
    client.cookies.clear()
    assert "需要现场勘查" in client.get("/mailbox/track", params={"code": code}).text


def test_an_organization_sets_its_working_days_and_holidays(
    client: TestClient, database: Database, mailbox: Mailbox
) -> None:
    log_in(client, "secretary")
    url = "/mailbox/settings/branch-a"
    bad = submit(client, url, url, {"reply_days": "3", "holidays": "2026-10-01 国庆节\n十月二日"})
    assert bad.status_code == 400 and field_error(bad, "holidays")
    assert page(bad).select_one("#f-holidays").get_text() == "2026-10-01 国庆节\n十月二日"
    assert submit(client, url, url, {"reply_days": "3", "holidays": "2026-10-01 国庆节"}).status_code == 303
    with database.reading() as db:
        assert db.get_one(MailboxSettings, mailbox.world.branch_a.id).reply_days == 3
        assert list(db.scalars(select(Holiday.day))) == [date(2026, 10, 1)]
    write_letter(client, mailbox.world.branch_a.id)
    assert newest_letter(database).reply_days == 3
    client.cookies.clear()
    log_in(client, "other")
    assert client.get(url).status_code == 403
    assert client.get("/mailbox/settings/nowhere").status_code == 404


def test_a_holiday_of_the_committee_counts_for_its_branches(database: Database, mailbox: Mailbox) -> None:
    with database.writing() as db:
        db.add(Holiday(organization_id=mailbox.world.committee.id, day=date(2026, 10, 1)))
        db.flush()
        tree = load_org_tree(db)
        assert clock.holidays_for(db, tree, mailbox.world.branch_a.id) == {date(2026, 10, 1)}
        assert clock.holidays_for(db, tree, mailbox.world.committee.id) == {date(2026, 10, 1)}
