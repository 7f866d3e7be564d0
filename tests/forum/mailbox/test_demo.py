"""The mailbox's demo letters: every status, some overdue, some published without the
personal details in them."""

from __future__ import annotations

from sqlalchemy import select

from forum.mailbox import clock
from forum.mailbox.models import Letter, Publication, Status
from grassroots.cli import main
from grassroots.db import Database
from grassroots.settings import Settings

DEMO = ["demo", "--password", "demo-pass-1", "--members", "8", "--residents", "4"]


def test_the_demo_has_letters_in_every_status(settings: Settings, database: Database, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(DEMO, settings=settings) == 0
    with database.reading() as db:
        letters = list(db.scalars(select(Letter)))
    assert {letter.status for letter in letters} == set(Status)
    assert any(clock.is_overdue(letter) for letter in letters)
    published = [letter for letter in letters if letter.publication is Publication.PUBLIC]
    assert len(published) >= 2
    for letter in published:
        assert "13812345678" not in letter.public_text and "王秀兰" not in letter.public_text
        assert "王秀兰" not in letter.public_reply_html
    assert len({letter.month for letter in letters}) >= 3


def test_letters_in_bulk_look_as_the_services_leave_them(
    settings: Settings, database: Database, capsys
) -> None:  # type: ignore[no-untyped-def]
    from forum.mailbox import stats
    from forum.mailbox.workflow import CLOCK_RUNNING

    assert main([*DEMO, "--letters", "400"], settings=settings) == 0
    with database.reading() as db:
        letters = list(db.scalars(select(Letter)))
        bulk = [
            letter for letter in letters if letter.code_digest and letter.body_source.startswith("我们楼")
        ]
        assert len(bulk) == 400
        assert all(len(letter.month) == 7 and letter.due_at for letter in bulk)
        answered = [letter for letter in bulk if letter.first_replied_at is not None]
        assert answered and all(letter.reply_seconds and letter.rating for letter in answered)
        assert all(letter.solved == (letter.status is Status.CLOSED) for letter in answered)
        assert any(letter.status in CLOCK_RUNNING and clock.is_overdue(letter) for letter in bulk)
        org = bulk[0].organization_id
        months = stats.monthly(db, org, "2000-01")
        assert sum(m.received for m in months) >= sum(1 for letter in bulk if letter.organization_id == org)
