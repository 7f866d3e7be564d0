"""Check-in, the secret ballot, and closing the ballot box.

A cast writes three rows in one transaction: the participation (voter, no ballot), the ballot
(marks, no voter, random key) and a chain link (a commitment to receipt, marks and a nonce only
the voter gets). The participation's primary key lets each voter on the roll cast once, however
many requests arrive together; the election row is locked first, so casts, check-ins and the
close of one election happen one after another. Casts write no audit entry: an entry names its
actor and its time, which is exactly what must not sit beside a ballot. The close records the
chain head and the counts instead.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from grassroots import audit
from grassroots.accounts.models import User
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid, NotPermitted
from grassroots.i18n import gettext as _

from . import secrecy
from .candidates import list_candidates
from .models import Ballot, ChainLink, CheckIn, Confirmation, Election, Participation, Phase, RollEntry, Step
from .rules import Rules
from .tally import tally
from .verifier import ballots_hash, canonical, commitment, link_hash

log = logging.getLogger(__name__)


class AlreadyVoted(Conflict):
    pass


@dataclass(frozen=True)
class Receipt:
    """Shown to the voter once and never stored with anything that names them."""

    code: str
    nonce: str
    commitment: str


def new_receipt_code() -> str:
    """160 random bits as 32 base32 letters in groups of four: ABCD-EFGH-…"""
    letters = base64.b32encode(secrets.token_bytes(20)).decode()
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def _voting_now(election: Election, now: datetime | None) -> None:
    ends = election.voting_ends_at
    if election.phase is not Phase.VOTING or ends is None or (now or utcnow()) >= ends:
        raise Conflict(_("Voting is not open."))


def on_roll(db: Session, election: Election, user_id: int) -> bool:
    return db.get(RollEntry, (election.id, user_id)) is not None


def checked_in(db: Session, election: Election, user_id: int) -> bool:
    return db.get(CheckIn, (election.id, user_id)) is not None


def has_voted(db: Session, election: Election, user_id: int) -> bool:
    return db.get(Participation, (election.id, user_id)) is not None


@dataclass(frozen=True)
class Standing:
    on_roll: bool
    checked_in: bool
    voted: bool


def standing(db: Session, election: Election, user_id: int) -> Standing:
    """Whether the voter is on the roll, checked in and has voted, in one round trip (a cast
    asks while it holds the election's lock, which every other cast of the election awaits)."""

    def there(model: type[RollEntry] | type[CheckIn] | type[Participation]) -> Any:
        return (
            select(model.user_id).where(model.election_id == election.id, model.user_id == user_id).exists()
        )

    on, present, voted = db.execute(select(there(RollEntry), there(CheckIn), there(Participation))).one()
    return Standing(bool(on), bool(present), bool(voted))


def check_in(db: Session, *, voter: User, election: Election, now: datetime | None = None) -> None:
    """签到: the voter is present. Raises NotPermitted off the roll, Conflict outside voting."""
    _voting_now(election, now)
    if not on_roll(db, election, voter.id):
        raise NotPermitted(_("You are not on this election's voter roll."))
    if checked_in(db, election, voter.id):
        return
    db.add(CheckIn(election_id=election.id, user_id=voter.id))
    db.flush()
    audit.record(
        db, actor=voter, action=AuditAction.VOTING_CHECKIN_ADD, subject=election,
        organization_id=election.organization_id,
    )  # fmt: skip


def clean_ballot(
    marks: dict[str, str], write_ins: dict[str, str], keys: list[str], names: dict[str, str], seats: int
) -> dict[str, Any]:
    """The ballot as stored, or FormInvalid: every candidate marked, a write-in only in place of
    a disapproved candidate and not naming one on the list, at most `seats` approvals."""
    errors: dict[str, str] = {}
    written = {key: " ".join(name.split()) for key, name in write_ins.items() if name.strip()}
    for key in keys:
        if marks.get(key) not in ("approve", "disapprove", "abstain"):
            errors[f"mark-{key}"] = _("Choose approve, disapprove or abstain.")
    for key, name in written.items():
        if key not in keys or marks.get(key) != "disapprove":
            errors[f"write_in-{key}"] = _("Write in another person only where you disapprove.")
        elif name in names.values():
            errors[f"write_in-{key}"] = _("That person is on the list already: mark them instead.")
        elif len(name) > 40:
            errors[f"write_in-{key}"] = _("A name has at most 40 characters.")
    approvals = sum(1 for key in keys if marks.get(key) == "approve") + len(written)
    if approvals > seats:
        errors["ballot"] = _("Approve at most %(seats)d people, write-ins included.", seats=seats)
    if errors:
        raise FormInvalid(errors)
    return {"marks": {key: marks[key] for key in keys}, "write_ins": written}


def cast_ballot(
    db: Session,
    *,
    voter: User,
    election: Election,
    marks: dict[str, str],
    write_ins: dict[str, str],
    candidates: dict[str, str],
    now: datetime | None = None,
    known: Standing | None = None,
) -> Receipt:
    """Cast `voter`'s one ballot. `candidates` maps ballot keys to names; `known` is the voter's
    standing if the caller read it in this transaction (else it is read here). Raises
    FormInvalid, NotPermitted, AlreadyVoted, or Conflict when voting has closed.

    `election` need not be locked. The participation and the ballot, which need no order, are
    written first: the participation's key makes a second request of the same voter wait for
    the first and then fail. Only then is the election's row locked, read afresh, checked to be
    still open (a close may have come first) and the chain extended, so that the casts of one
    election wait on each other for the fewest statements."""
    _voting_now(election, now)
    mine = known or standing(db, election, voter.id)
    if not mine.on_roll:
        raise NotPermitted(_("You are not on this election's voter roll."))
    if not mine.checked_in:
        raise Conflict(_("Check in before you vote."))
    if mine.voted:
        raise AlreadyVoted(_("You have voted in this election already."))
    ballot = clean_ballot(marks, write_ins, list(candidates), candidates, election.seats)
    code, nonce = new_receipt_code(), secrets.token_hex(16)
    committed = commitment(code, ballot, nonce)
    # Without the nonce nobody, the voter included, can show which marks the commitment holds.
    receipt = Receipt(code, nonce if election.receipt_shows_ballot else "", committed)
    # Core statements, not the unit of work: a cast is the one write that thousands make at
    # once, and the ORM's bookkeeping doubled its cost (bench/voting_cast.py, --floor).
    try:
        db.execute(insert(Participation).values(election_id=election.id, user_id=voter.id))
    except IntegrityError as error:  # the participation's key: this voter has a ballot already
        raise AlreadyVoted(_("You have voted in this election already.")) from error
    db.execute(
        insert(Ballot).values(
            id=secrets.token_hex(16), election_id=election.id, receipt=receipt.code, content=canonical(ballot)
        )
    )
    _append_link(db, election, receipt.commitment, now)
    return receipt


def _append_link(db: Session, election: Election, commit: str, now: datetime | None) -> None:
    """Lock the election's row, check it is still open (a close may have come first) and extend
    its chain: three statements while every other cast of the election waits. The lock is FOR
    NO KEY UPDATE, as phases.get_election takes it (it says why)."""
    locked = db.execute(
        select(Election.phase, Election.voting_ends_at, Election.chain_length, Election.chain_head)
        .where(Election.id == election.id)
        .with_for_update(key_share=True)
    ).one()
    # As read under the lock, and not to be written back: set as the stored values.
    set_committed_value(election, "phase", locked.phase)
    set_committed_value(election, "voting_ends_at", locked.voting_ends_at)
    _voting_now(election, now)
    seq, prev = locked.chain_length + 1, locked.chain_head
    digest = link_hash(election.id, seq, prev, commit)
    db.execute(
        insert(ChainLink).values(election_id=election.id, seq=seq, prev=prev, commitment=commit, hash=digest)
    )
    db.execute(
        update(Election)
        .where(Election.id == election.id)
        .values(chain_length=seq, chain_head=digest)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(election, "chain_length", seq)
    set_committed_value(election, "chain_head", digest)


def published_ballots(db: Session, election: Election) -> list[dict[str, Any]]:
    """Every ballot by receipt: an order that says nothing of when it was cast. Where receipts
    do not find ballots, the ballots alone, in the order of their canonical text."""
    rows = db.execute(
        select(Ballot.receipt, Ballot.content)
        .where(Ballot.election_id == election.id)
        .order_by(Ballot.receipt)
    ).all()
    if not election.receipt_shows_ballot:
        return [{"ballot": json.loads(content)} for content in sorted(content for _r, content in rows)]
    return [{"receipt": receipt, "ballot": json.loads(content)} for receipt, content in rows]


def receipt_counted(db: Session, election: Election, code: str) -> bool:
    """Whether a ballot with this receipt is in the box (in any form: ABCD-EFGH…, abcdefgh…)."""
    letters = code.upper().replace("-", "").replace(" ", "")
    if len(letters) != 32 or not letters.isalnum():
        return False
    wanted = "-".join(letters[i : i + 4] for i in range(0, 32, 4))
    found = select(Ballot.id).where(Ballot.election_id == election.id, Ballot.receipt == wanted)
    return db.scalar(found) is not None


def chain(db: Session, election: Election) -> list[dict[str, Any]]:
    rows = db.scalars(select(ChainLink).where(ChainLink.election_id == election.id).order_by(ChainLink.seq))
    return [{"seq": r.seq, "prev": r.prev, "commitment": r.commitment, "hash": r.hash} for r in rows]


def turnout(db: Session, election: Election) -> dict[str, int]:
    """How many checked in and how many voted: never how."""

    def number(model: type[CheckIn] | type[Participation]) -> int:
        return db.scalar(select(func.count()).select_from(model).where(model.election_id == election.id)) or 0

    return {"present": number(CheckIn), "voted": number(Participation)}


def close(db: Session, *, election: Election, actor: User | None, early: bool) -> None:
    """Close the box and publish the ballots; the audit entry fixes the chain head, the counts
    and the hash of the published list. More ballots than voters makes the election void."""
    listed = published_ballots(db, election)
    _rewrite_in_order(db, election)
    election.ballots_hash = ballots_hash(listed)
    election.phase = Phase.CLOSED
    db.execute(
        delete(Confirmation).where(Confirmation.election_id == election.id, Confirmation.step == Step.CLOSE)
    )
    counts = {**turnout(db, election), "ballots": len(listed), "expected": election.expected}
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_ELECTION_CLOSE, subject=election,
        organization_id=election.organization_id,
        data={"chain_head": election.chain_head, "chain_length": election.chain_length,
              "ballots_hash": election.ballots_hash, "early": early,
              "void": counts["ballots"] > counts["voted"], **counts},
    )  # fmt: skip


def _rewrite_in_order(db: Session, election: Election) -> None:
    """Ballots by receipt under new keys, participations and check-ins by voter (secrecy.py)."""
    secrecy.rewrite(db, Ballot, Ballot.election_id == election.id, Ballot.receipt, new_key="id")
    for model in (Participation, CheckIn):
        secrecy.rewrite(db, model, model.election_id == election.id, model.user_id)


def closing_counts(db: Session, election: Election) -> dict[str, int]:
    return {
        **turnout(db, election),
        "ballots": len(published_ballots(db, election)),
        "expected": election.expected,
    }


def count(db: Session, election: Election, rules: Rules) -> dict[str, Any]:
    counts = closing_counts(db, election)
    result = tally(
        rules=rules,
        seats=election.seats,
        candidates=[str(c.id) for c in list_candidates(db, election, qualified_only=True)],
        ballots=[entry["ballot"] for entry in published_ballots(db, election)],
        present=counts["present"],
        expected=counts["expected"],
        voted=counts["voted"],
    )
    return result.as_dict()
