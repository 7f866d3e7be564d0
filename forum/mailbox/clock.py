"""A letter's deadline against the organization's settings: working days, holidays (the
organization's and those of every organization above it), pauses and one extension. The due
moment is stored on the letter, so "overdue" is one indexed comparison."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grassroots import audit
from grassroots.accounts.models import User
from grassroots.accounts.tree import OrgTree
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid
from grassroots.i18n import gettext as _

from . import deadlines
from .models import Holiday, Letter, MailboxSettings
from .workflow import CLOCK_RUNNING


def reply_days_for(db: Session, organization_id: int) -> int:
    row = db.get(MailboxSettings, organization_id)
    return row.reply_days if row else deadlines.DEFAULT_REPLY_DAYS


def holidays_for(db: Session, tree: OrgTree, organization_id: int) -> frozenset[date]:
    path = tree.path(organization_id)
    return frozenset(db.scalars(select(Holiday.day).where(Holiday.organization_id.in_(path))))


def timezone_of(tree: OrgTree, organization_id: int) -> str:
    node = tree.by_id.get(organization_id)
    return node.timezone if node else "Asia/Shanghai"


def recompute(db: Session, tree: OrgTree, letter: Letter) -> None:
    """Set `due_at` from the clock's start and the days it was given; none while paused."""
    if letter.paused_at is not None:
        letter.due_at = None
        return
    days = letter.reply_days + letter.extension_days + letter.paused_days
    holidays = holidays_for(db, tree, letter.organization_id)
    letter.due_at = deadlines.due_at(
        letter.clock_start, days, holidays, timezone_of(tree, letter.organization_id)
    )


def start(db: Session, tree: OrgTree, letter: Letter, now: datetime | None = None) -> None:
    """Start a fresh clock (a new letter, or one reopened by its writer)."""
    letter.clock_start = now or utcnow()
    letter.reply_days = reply_days_for(db, letter.organization_id)
    letter.paused_days = letter.extension_days = 0
    letter.paused_at = None
    recompute(db, tree, letter)


def pause(db: Session, tree: OrgTree, letter: Letter, now: datetime | None = None) -> None:
    if letter.paused_at is None:
        letter.paused_at = now or utcnow()
    recompute(db, tree, letter)


def resume(db: Session, tree: OrgTree, letter: Letter, now: datetime | None = None) -> None:
    """The working days the pause lasted are added to the deadline."""
    if letter.paused_at is not None:
        zone = timezone_of(tree, letter.organization_id)
        holidays = holidays_for(db, tree, letter.organization_id)
        letter.paused_days += deadlines.working_days_between(
            deadlines.local_date(letter.paused_at, zone),
            deadlines.local_date(now or utcnow(), zone),
            holidays,
        )
        letter.paused_at = None
    recompute(db, tree, letter)


def extend(db: Session, tree: OrgTree, letter: Letter, days: int | None, reason: str) -> None:
    """Once per letter, with a reason the writer reads. Raises Conflict or FormInvalid."""
    if letter.extension_days:
        raise Conflict(_("This letter's deadline was extended once already."))
    errors = {}
    if days is None or not 1 <= days <= deadlines.MAX_EXTENSION_DAYS:
        errors["days"] = _(
            "Give a number of working days from 1 to %(most)d.", most=deadlines.MAX_EXTENSION_DAYS
        )
    if not reason.strip():
        errors["extension_reason"] = _("Tell the writer why more time is needed.")
    if errors:
        raise FormInvalid(errors)
    assert days is not None
    letter.extension_days, letter.extension_reason = days, reason.strip()[:2000]
    recompute(db, tree, letter)


def is_overdue(letter: Letter, now: datetime | None = None) -> bool:
    return letter.status in CLOCK_RUNNING and letter.due_at is not None and letter.due_at <= (now or utcnow())


def parse_holidays(text: str) -> list[tuple[date, str]]:
    """One holiday a line: `2026-10-01 国庆节` (the name optional). Raises FormInvalid naming
    the first line that is not a date."""
    found: dict[date, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        day_text, _sep, name = line.strip().partition(" ")
        if not day_text:
            continue
        try:
            found[date.fromisoformat(day_text)] = name.strip()[:40]
        except ValueError:
            raise FormInvalid(
                {"holidays": _("Line %(line)d is not a date like 2026-10-01.", line=number)}
            ) from None
    return sorted(found.items())


def list_holidays(db: Session, organization_id: int) -> list[Holiday]:
    query = select(Holiday).where(Holiday.organization_id == organization_id).order_by(Holiday.day)
    return list(db.scalars(query))


def update_settings(
    db: Session, *, actor: User, organization_id: int, reply_days: int | None, holidays_text: str
) -> None:
    """The organization's deadline and holidays, for letters received from now on.
    Raises FormInvalid."""
    if reply_days is None or not 1 <= reply_days <= deadlines.MAX_REPLY_DAYS:
        raise FormInvalid(
            {
                "reply_days": _(
                    "Give a number of working days from 1 to %(most)d.", most=deadlines.MAX_REPLY_DAYS
                )
            }
        )
    holidays = parse_holidays(holidays_text)
    row = db.get(MailboxSettings, organization_id) or MailboxSettings(organization_id=organization_id)
    row.reply_days = reply_days
    db.add(row)
    db.execute(delete(Holiday).where(Holiday.organization_id == organization_id))
    db.add_all(Holiday(organization_id=organization_id, day=day, name=name) for day, name in holidays)
    audit.record(
        db,
        actor=actor,
        action=AuditAction.MAILBOX_SETTINGS_UPDATE,
        subject=("organizations", organization_id),
        organization_id=organization_id,
        data={"reply_days": reply_days, "holidays": len(holidays)},
    )
