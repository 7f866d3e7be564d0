"""Voting in a poll: the ballot checked against the poll's kind, then stored once per person.

A vote writes two rows in one transaction, as an election's cast does: the participation
(person, no ballot) and the ballot (choices, no person, random key). The participation's
primary key lets each person vote once however many requests arrive together. No audit entry
is written for a vote: an entry names its actor and its time.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grassroots.accounts.models import User
from grassroots.errors import Conflict, FormInvalid, NotPermitted
from grassroots.i18n import gettext as _

from .models import Poll, PollBallot, PollKind, PollParticipation
from .polls import has_voted, is_open, options_of


class AlreadyVoted(Conflict):
    pass


def _choices(poll: Poll, typed: Sequence[str], options: int) -> dict[str, Any]:
    picked = [int(c) for c in typed if c.isascii() and c.isdigit() and len(c) < 4]
    if len(picked) != len(typed) or any(not 0 <= c < options for c in picked):
        raise FormInvalid({"choice": _("That is not one of the options.")})
    if len(set(picked)) != len(picked):
        raise FormInvalid({"choice": _("Each option once.")})
    if not picked:
        raise FormInvalid({"choice": _("Choose an option.")})
    limit = poll.max_choices if poll.kind is PollKind.MULTIPLE else 1
    if len(picked) > limit:
        raise FormInvalid({"choice": _("Choose at most %(limit)d options.", limit=limit)})
    return {"choices": sorted(picked)}


def _ranks(typed: Mapping[str, str], options: int) -> dict[str, Any]:
    """Ranks 1..k without gaps or repeats; an option left blank is not ranked."""
    if any(not key.isascii() or not key.isdigit() or int(key) >= options for key in typed):
        raise FormInvalid({"ranks": _("That is not one of the options.")})
    ranks = [0] * options
    for key, raw in typed.items():
        raw = raw.strip()
        if raw:
            if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= options):
                raise FormInvalid({"ranks": _("A rank is a number from 1 to %(max)d.", max=options)})
            ranks[int(key)] = int(raw)
    given = sorted(r for r in ranks if r)
    if not given:
        raise FormInvalid({"ranks": _("Rank at least one option.")})
    if len(set(given)) != len(given):
        raise FormInvalid({"ranks": _("Each rank once: two options have the same rank.")})
    if given != list(range(1, len(given) + 1)):
        raise FormInvalid({"ranks": _("Number the ranks from 1 without gaps.")})
    return {"ranks": ranks}


def clean_ballot(poll: Poll, *, choices: Sequence[str], ranks: Mapping[str, str]) -> dict[str, Any]:
    """The ballot as stored, or FormInvalid. `choices` are option numbers as typed (radio or
    checkboxes); `ranks` maps option numbers to the rank typed beside them."""
    options = len(options_of(poll))
    if poll.kind is PollKind.RANKED:
        return _ranks(ranks, options)
    return _choices(poll, choices, options)


def cast_vote(
    db: Session,
    *,
    poll: Poll,
    voter: User,
    eligible: bool,
    choices: Sequence[str] = (),
    ranks: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> None:
    """`voter`'s one ballot in `poll`, which is locked (get_poll(for_update=True)). `eligible`
    is the policy's answer. Raises Conflict (not open), NotPermitted, AlreadyVoted, FormInvalid."""
    if not is_open(poll, now):
        raise Conflict(_("This poll is not open for votes."))
    if not eligible:
        raise NotPermitted(_("This poll is open to the members of its organization only."))
    if has_voted(db, poll, voter.id):
        raise AlreadyVoted(_("You have voted in this poll already."))
    ballot = clean_ballot(poll, choices=choices, ranks=ranks or {})
    db.add(PollParticipation(poll_id=poll.id, user_id=voter.id))
    try:
        db.flush()
    except IntegrityError as error:  # a second request of the same person, at the same time
        raise AlreadyVoted(_("You have voted in this poll already.")) from error
    content = json.dumps(ballot, sort_keys=True, separators=(",", ":"))
    db.add(PollBallot(id=secrets.token_hex(16), poll_id=poll.id, content=content))
    db.flush()
