"""Making a poll, finding it, and closing it: by hand, or by itself at its end.

A poll is not an election: it opens when made (or at the time set), needs no second official
and no check-in, and closes by itself when whoever next touches it finds its end has passed.
Its creation and its close are audited; the close fixes the count, the number of ballots and a
hash of them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grassroots import audit
from grassroots.accounts.models import User
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import FormInvalid, NotFound
from grassroots.i18n import gettext as _
from grassroots.threads import ThreadRef

from .. import secrecy
from . import thread_stamps
from .models import Method, Poll, PollBallot, PollKind, PollParticipation, PollState, Shown, Voters
from .tally import count

QUESTION_MAX = 300
OPTION_MAX = 200
OPTIONS_MAX = 20
LONGEST = timedelta(days=366)


@dataclass(frozen=True)
class Where:
    """Where a new poll goes: an organization, and maybe one of its threads."""

    organization_id: int
    timezone: str
    thread: ThreadRef | None = None


def _options(raw: str, errors: dict[str, str]) -> list[str]:
    options = [" ".join(line.split()) for line in raw.splitlines()]
    options = [option for option in options if option]
    if not 2 <= len(options) <= OPTIONS_MAX:
        errors["options"] = _("Give from 2 to %(max)d options, one a line.", max=OPTIONS_MAX)
    elif any(len(option) > OPTION_MAX for option in options):
        errors["options"] = _("An option has at most %(max)d characters.", max=OPTION_MAX)
    elif len(set(options)) != len(options):
        errors["options"] = _("Each option once: two lines say the same.")
    return options


def _number(raw: str, low: int, high: int) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and low <= int(raw) <= high else None


def _when(raw: str, timezone: str) -> datetime | None:
    try:
        local = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return local if local.tzinfo else local.replace(tzinfo=ZoneInfo(timezone))


def _counting(typed: Mapping[str, str], options: int, errors: dict[str, str]) -> dict[str, Any]:
    """kind, max_choices, method and seats from the form."""
    kind = typed.get("kind", "")
    if kind not in set(PollKind):
        errors["kind"] = _("Choose the kind of poll.")
        return {}
    fields: dict[str, Any] = {"kind": PollKind(kind), "max_choices": 1, "method": None, "seats": 1}
    if kind == PollKind.MULTIPLE:
        fields["max_choices"] = _number(typed.get("max_choices", ""), 1, max(options, 1))
        if fields["max_choices"] is None:
            errors["max_choices"] = _("A whole number from 1 to the number of options.")
    if kind == PollKind.RANKED:
        method = typed.get("method", "")
        if method not in set(Method):
            errors["method"] = _("Choose how the rankings are counted.")
            return fields
        fields["method"] = Method(method)
        if method == Method.STV:
            fields["seats"] = _number(typed.get("seats", ""), 1, max(options - 1, 1))
            if fields["seats"] is None or options < 2:
                errors["seats"] = _("A whole number from 1 to one less than the number of options.")
    return fields


def _window(typed: Mapping[str, str], timezone: str, now: datetime, errors: dict[str, str]) -> dict[str, Any]:
    opens = _when(typed.get("opens_at", ""), timezone) if typed.get("opens_at", "").strip() else now
    closes = _when(typed.get("closes_at", ""), timezone)
    if opens is None:
        errors["opens_at"] = _("Please give the date and time as on the form.")
    if closes is None:
        errors["closes_at"] = _("Please give the date and time as on the form.")
    elif closes <= max(now, opens or now):
        errors["closes_at"] = _("The poll must close after it opens, and in the future.")
    elif closes - now > LONGEST:
        errors["closes_at"] = _("A poll runs for at most a year.")
    return {"opens_at": opens, "closes_at": closes}


def clean_poll(typed: Mapping[str, str], *, where: Where, now: datetime | None = None) -> dict[str, Any]:
    """The poll's columns from the form, or FormInvalid naming each bad field."""
    now, errors = now or utcnow(), {}
    question = " ".join(typed.get("question", "").split())
    if not question or len(question) > QUESTION_MAX:
        errors["question"] = _("Ask a question of at most %(max)d characters.", max=QUESTION_MAX)
    options = _options(typed.get("options", ""), errors)
    fields = _counting(typed, len(options), errors)
    voters, shown = typed.get("voters", ""), typed.get("shown", "")
    if voters not in set(Voters):
        errors["voters"] = _("Choose who may vote.")
    elif where.thread is not None and where.thread.members_only and voters != Voters.MEMBERS:
        errors["voters"] = _("This thread's board is for members only: so is its poll.")
    if shown not in set(Shown):
        errors["shown"] = _("Choose when the results are shown.")
    fields.update(_window(typed, where.timezone, now, errors))
    if errors:
        raise FormInvalid(errors)
    return {
        **fields,
        "question": question,
        "options": options,
        "voters": Voters(voters),
        "shown": Shown(shown),
    }


def create_poll(
    db: Session, *, actor: User, where: Where, typed: Mapping[str, str], now: datetime | None = None
) -> Poll:
    """A poll of `where`, open from its start. Raises FormInvalid."""
    fields = clean_poll(typed, where=where, now=now)
    thread_id = where.thread.id if where.thread else None
    if thread_id is not None and db.scalar(select(Poll.id).where(Poll.thread_id == thread_id)) is not None:
        raise FormInvalid({"question": _("This thread carries a poll already.")})
    poll = Poll(
        organization_id=where.organization_id, thread_id=thread_id, created_by_id=actor.id,
        state=PollState.OPEN, **{**fields, "options": json.dumps(fields["options"], ensure_ascii=False)},
    )  # fmt: skip
    db.add(poll)
    db.flush()
    if thread_id is not None:
        thread_stamps.changed(db)
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_POLL_CREATE, subject=poll,
        organization_id=poll.organization_id,
        data={"question": poll.question, "options": fields["options"], "kind": str(poll.kind),
              "max_choices": poll.max_choices, "method": str(poll.method or ""), "seats": poll.seats,
              "voters": str(poll.voters), "shown": str(poll.shown), "thread_id": thread_id,
              "opens_at": poll.opens_at.isoformat(), "closes_at": poll.closes_at.isoformat()},
    )  # fmt: skip
    return poll


def get_poll(db: Session, poll_id: int, *, for_update: bool = False) -> Poll:
    """Raises NotFound. `for_update` locks the row on PostgreSQL, so that votes and the close of
    one poll happen one after another (SQLite writers already do)."""
    query = select(Poll).where(Poll.id == poll_id)
    found = db.scalars(query.with_for_update() if for_update else query).one_or_none()
    if found is None:
        raise NotFound(_("There is no such poll."))
    return found


def poll_of_thread(db: Session, thread_id: int) -> Poll | None:
    return db.scalars(select(Poll).where(Poll.thread_id == thread_id)).one_or_none()


def options_of(poll: Poll) -> list[str]:
    options: list[str] = json.loads(poll.options)
    return options


def is_open(poll: Poll, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return poll.state is PollState.OPEN and poll.opens_at <= now < poll.closes_at


def has_ended(poll: Poll, now: datetime | None = None) -> bool:
    """Past its end but not yet closed: the next to touch it closes it."""
    return poll.state is PollState.OPEN and (now or utcnow()) >= poll.closes_at


def has_voted(db: Session, poll: Poll, user_id: int) -> bool:
    return db.get(PollParticipation, (poll.id, user_id)) is not None


def voters_count(db: Session, poll: Poll) -> int:
    query = select(func.count()).select_from(PollParticipation).where(PollParticipation.poll_id == poll.id)
    return db.scalar(query) or 0


def ballot_contents(db: Session, poll: Poll) -> list[dict[str, Any]]:
    """Every ballot, in an order that says nothing of when it was cast."""
    query = select(PollBallot.content).where(PollBallot.poll_id == poll.id).order_by(PollBallot.content)
    return [json.loads(content) for content in db.scalars(query)]


def current_result(db: Session, poll: Poll) -> dict[str, Any]:
    """The count fixed at close, or the count so far."""
    if poll.state is PollState.CLOSED and poll.result:
        result: dict[str, Any] = json.loads(poll.result)
        return result
    return count(poll, ballot_contents(db, poll))


def close_poll(db: Session, *, poll: Poll, actor: User | None, early: bool) -> None:
    """Fix the count. `poll` is locked; `actor` None when it closes by itself at its end."""
    contents = ballot_contents(db, poll)
    secrecy.rewrite(db, PollBallot, PollBallot.poll_id == poll.id, PollBallot.content, new_key="id")
    secrecy.rewrite(db, PollParticipation, PollParticipation.poll_id == poll.id, PollParticipation.user_id)
    result = count(poll, contents)
    poll.result = json.dumps(result, ensure_ascii=False, sort_keys=True)
    poll.state = PollState.CLOSED
    if poll.thread_id is not None:
        thread_stamps.changed(db)
    listed = "\n".join(json.dumps(c, sort_keys=True, separators=(",", ":")) for c in contents)
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_POLL_CLOSE, subject=poll,
        organization_id=poll.organization_id,
        data={"ballots": len(contents), "voted": voters_count(db, poll), "early": early,
              "ballots_hash": hashlib.sha256(listed.encode()).hexdigest()},
    )  # fmt: skip


def settle(db: Session, poll: Poll, now: datetime | None = None) -> bool:
    """Close the poll if its end has passed; whether it did."""
    if not has_ended(poll, now):
        return False
    close_poll(db, poll=poll, actor=None, early=False)
    return True
