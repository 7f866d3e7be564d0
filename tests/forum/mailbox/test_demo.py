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
