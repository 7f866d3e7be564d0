"""Working days: when a letter's reply is due. Pure functions over dates; weekends and the
organization's holidays do not count, a pause and one extension push the date out."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_REPLY_DAYS = 5
MAX_REPLY_DAYS = 60
MAX_EXTENSION_DAYS = 30


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date]) -> date:
    """The `days`-th working day after `start` (the day received does not count)."""
    day, left = start, days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day


def working_days_between(start: date, end: date, holidays: Collection[date]) -> int:
    """Working days after `start` up to and including `end`: what a pause from `start` until
    `end` costs the clock."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            count += 1
    return count


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def due_at(start: datetime, days: int, holidays: Collection[date], timezone: str) -> datetime:
    """The moment (UTC) the reply becomes late: the end of the due day in the organization's
    time zone."""
    due_day = add_working_days(local_date(start, timezone), days, holidays)
    midnight = datetime.combine(due_day + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return midnight.astimezone(UTC)


def due_day(due: datetime, timezone: str) -> date:
    """The last day of the deadline, as the writer reads it."""
    return local_date(due - timedelta(microseconds=1), timezone)
