"""The clock against an organization: pauses add their working days, one extension, a fresh
start on reopening."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forum.mailbox import clock, deadlines
from forum.mailbox.models import Letter
from grassroots.accounts.models import User
from grassroots.accounts.tree import load_org_tree
from grassroots.db import Database
from grassroots.errors import Conflict, FormInvalid

from .conftest import Mailbox, store_letter

MONDAY = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _letter(db, org_id: int) -> Letter:  # type: ignore[no-untyped-def]
    letter = store_letter(db, org_id)
    clock.start(db, load_org_tree(db), letter, MONDAY)
    return letter


def test_a_pause_over_a_weekend_adds_only_its_working_days(database: Database, mailbox: Mailbox) -> None:
    with database.writing() as db:
        tree = load_org_tree(db)
        letter = _letter(db, mailbox.world.branch_a.id)
        assert deadlines.due_day(letter.due_at, "Asia/Shanghai").isoformat() == "2026-12-07"  # type: ignore[arg-type]
        clock.pause(db, tree, letter, datetime(2026, 12, 4, 2, tzinfo=UTC))  # Friday
        assert letter.due_at is None
        clock.resume(db, tree, letter, datetime(2026, 12, 8, 2, tzinfo=UTC))  # the Tuesday after
        assert letter.paused_days == 2  # Monday and Tuesday
        assert deadlines.due_day(letter.due_at, "Asia/Shanghai").isoformat() == "2026-12-09"  # type: ignore[arg-type]


def test_one_extension_with_a_reason(database: Database, mailbox: Mailbox) -> None:
    with database.writing() as db:
        tree = load_org_tree(db)
        letter = _letter(db, mailbox.world.branch_a.id)
        with pytest.raises(FormInvalid):
            clock.extend(db, tree, letter, 0, "原因")
        with pytest.raises(FormInvalid):
            clock.extend(db, tree, letter, 3, " ")
        clock.extend(db, tree, letter, 3, "需要现场勘查")
        assert deadlines.due_day(letter.due_at, "Asia/Shanghai").isoformat() == "2026-12-10"  # type: ignore[arg-type]
        with pytest.raises(Conflict):
            clock.extend(db, tree, letter, 1, "再延")


def test_the_organizations_reply_days_and_holidays_count(database: Database, mailbox: Mailbox) -> None:
    with database.writing() as db:
        admin = db.get_one(User, 1)
        clock.update_settings(
            db,
            actor=admin,
            organization_id=mailbox.world.committee.id,
            reply_days=2,
            holidays_text="2026-12-01 假日",
        )
        letter = _letter(db, mailbox.world.branch_a.id)
        # The branch keeps the default five days; the committee's holiday reaches it.
        assert deadlines.due_day(letter.due_at, "Asia/Shanghai").isoformat() == "2026-12-08"  # type: ignore[arg-type]
        clock.update_settings(
            db, actor=admin, organization_id=mailbox.world.branch_a.id, reply_days=2, holidays_text=""
        )
        letter = _letter(db, mailbox.world.branch_a.id)
        assert deadlines.due_day(letter.due_at, "Asia/Shanghai").isoformat() == "2026-12-03"  # type: ignore[arg-type]
        with pytest.raises(FormInvalid):
            clock.update_settings(
                db, actor=admin, organization_id=mailbox.world.branch_a.id, reply_days=99, holidays_text=""
            )
