"""Working days, holidays, pauses and the due moment, as pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from forum.mailbox import deadlines

NATIONAL_DAY = {date(2026, 10, d) for d in range(1, 8)}


def test_weekends_do_not_count() -> None:
    friday = date(2026, 11, 27)
    assert deadlines.add_working_days(friday, 1, ()) == date(2026, 11, 30)  # Monday
    assert deadlines.add_working_days(friday, 5, ()) == date(2026, 12, 4)


def test_a_letter_sent_on_saturday_counts_from_monday() -> None:
    assert deadlines.add_working_days(date(2026, 11, 28), 1, ()) == date(2026, 11, 30)


def test_holidays_do_not_count() -> None:
    sept_30 = date(2026, 9, 30)  # Wednesday; 1-7 October are holidays, 3-4 a weekend
    assert deadlines.add_working_days(sept_30, 1, NATIONAL_DAY) == date(2026, 10, 8)
    assert deadlines.add_working_days(sept_30, 5, NATIONAL_DAY) == date(2026, 10, 14)


def test_a_pause_costs_only_its_working_days() -> None:
    assert deadlines.working_days_between(date(2026, 11, 27), date(2026, 11, 30), ()) == 1
    assert deadlines.working_days_between(date(2026, 11, 30), date(2026, 11, 30), ()) == 0
    assert deadlines.working_days_between(date(2026, 9, 30), date(2026, 10, 8), NATIONAL_DAY) == 1


def test_due_at_is_the_end_of_the_due_day_in_the_organizations_zone() -> None:
    # Monday 30 November, 10:00 in Shanghai; five working days: due at the end of Monday 7 December.
    start = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    due = deadlines.due_at(start, 5, (), "Asia/Shanghai")
    assert due == datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
    assert deadlines.due_day(due, "Asia/Shanghai") == date(2026, 12, 7)


def test_late_evening_utc_is_already_the_next_day_in_shanghai() -> None:
    start = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # Saturday 01:00 in Shanghai
    assert deadlines.local_date(start, "Asia/Shanghai") == date(2026, 11, 28)
    assert deadlines.due_day(deadlines.due_at(start, 1, (), "Asia/Shanghai"), "Asia/Shanghai") == date(
        2026, 11, 30
    )
