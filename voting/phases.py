"""An election's life: draft → nomination → review → publicity → voting → closed → tallied →
published. Each move is its own verb, refuses to skip a phase, checks its window by the server's
clock at the time of the request, and writes its audit entry. Opening the vote, closing it
early and publishing the result take a second official (`request_step`, `confirm_step`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grassroots import audit
from grassroots.accounts.models import Membership, User
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import Conflict, NotFound
from grassroots.i18n import gettext as _

from . import announce, ballots, candidates
from .models import Confirmation, Election, Phase, RollEntry, Step
from .rules import Rules
from .verifier import canonical, genesis, sha256


def get_election(db: Session, election_id: int, *, for_update: bool = False) -> Election:
    """Raises NotFound. `for_update` locks the row on PostgreSQL: casts, check-ins and phase
    moves of one election then happen one after another (SQLite writers already do). The lock
    is FOR NO KEY UPDATE, which the rows referring to the election (a cast's participation
    and ballot take FOR KEY SHARE on it through their foreign keys) do not wait for, nor it
    for them: with FOR UPDATE, two casts that had each written their rows would deadlock."""
    query = select(Election).where(Election.id == election_id)
    if for_update:  # and read afresh: an object this session holds may predate the lock
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    found = db.scalars(query).one_or_none()
    if found is None:
        raise NotFound(_("There is no such election."))
    return found


def rules_of(election: Election) -> Rules:
    return Rules.from_config(json.loads(election.rules))


def voting_ended(election: Election, now: datetime | None = None) -> bool:
    ends = election.voting_ends_at
    return election.phase is Phase.VOTING and ends is not None and (now or utcnow()) >= ends


def settle(db: Session, election: Election, now: datetime | None = None) -> None:
    """Voting closes by itself at its end: whoever next touches the election closes it."""
    if voting_ended(election, now):
        ballots.close(db, election=election, actor=None, early=False)


def _expect(election: Election, phase: Phase) -> None:
    if election.phase is not phase:
        raise Conflict(_("This election is not in the phase that step needs."))


def _advance(db: Session, actor: User | None, election: Election, to: Phase, **data: object) -> None:
    before = election.phase
    election.phase = to
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_PHASE_ADVANCE, subject=election,
        organization_id=election.organization_id, data={"from": str(before), "to": str(to), **data},
    )  # fmt: skip


def open_nomination(db: Session, *, actor: User, election: Election, now: datetime | None = None) -> None:
    _expect(election, Phase.DRAFT)
    election.nomination_ends_at = (now or utcnow()) + timedelta(days=election.nomination_days)
    _advance(db, actor, election, Phase.NOMINATION, ends_at=election.nomination_ends_at.isoformat())


def end_nomination(db: Session, *, actor: User, election: Election, now: datetime | None = None) -> None:
    """After the window: the counts become public and each nominee awaits review."""
    _expect(election, Phase.NOMINATION)
    assert election.nomination_ends_at is not None
    if (now or utcnow()) < election.nomination_ends_at:
        raise Conflict(_("The nomination window has not ended yet."))
    counts = candidates.gather_nominees(db, election)
    _advance(db, actor, election, Phase.REVIEW, counts=counts)


def start_publicity(db: Session, *, actor: User, election: Election, now: datetime | None = None) -> None:
    """Fix the candidate list (every nominee reviewed, enough qualified), publish the candidates'
    profiles in the disclosure area, and draw up the voter roll."""
    _expect(election, Phase.REVIEW)
    listed = candidates.fix_list(db, actor=actor, election=election, rules=rules_of(election))
    election.publicity_ends_at = (now or utcnow()) + timedelta(days=election.publicity_days)
    roll = draw_up_roll(db, election)
    _advance(
        db, actor, election, Phase.PUBLICITY, candidates=listed, roll=roll,
        ends_at=election.publicity_ends_at.isoformat(),
    )  # fmt: skip


def draw_up_roll(db: Session, election: Election) -> int:
    """Everyone verified as a member of the organization itself (not of its branches)."""
    rows = db.scalars(
        select(Membership.user_id).where(
            Membership.organization_id == election.organization_id,
            Membership.role.in_(candidates.MEMBER_ROLES),
        )
    )
    db.execute(delete(RollEntry).where(RollEntry.election_id == election.id))
    user_ids = sorted(set(rows))
    db.add_all(RollEntry(election_id=election.id, user_id=user_id) for user_id in user_ids)
    db.flush()
    return len(user_ids)


def roll_digest(db: Session, election: Election) -> tuple[int, str]:
    """How many are expected, and a hash of the roll (ids and reasons, sorted)."""
    rows = db.execute(
        select(RollEntry.user_id, RollEntry.excluded_reason)
        .where(RollEntry.election_id == election.id)
        .order_by(RollEntry.user_id)
    ).all()
    expected = sum(1 for _user, reason in rows if not reason)
    return expected, sha256(canonical([[user, reason] for user, reason in rows]))


def _publicity_over(election: Election, now: datetime) -> None:
    _expect(election, Phase.PUBLICITY)
    assert election.publicity_ends_at is not None
    if now < election.publicity_ends_at:
        raise Conflict(_("The publicity period has not ended yet."))


def _open_voting(db: Session, actor: User, election: Election, now: datetime) -> None:
    _publicity_over(election, now)
    election.expected, election.roll_hash = roll_digest(db, election)
    if election.expected == 0:
        raise Conflict(_("Nobody is on the voter roll."))
    election.voting_ends_at = now + timedelta(minutes=election.voting_minutes)
    election.chain_head = genesis(election.id)
    election.phase = Phase.VOTING
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_ELECTION_OPEN, subject=election,
        organization_id=election.organization_id,
        data={"expected": election.expected, "roll_hash": election.roll_hash,
              "rules_hash": election.rules_hash, "genesis": election.chain_head,
              "ends_at": election.voting_ends_at.isoformat()},
    )  # fmt: skip


def _close_early(db: Session, actor: User, election: Election, now: datetime) -> None:
    _expect(election, Phase.VOTING)
    ballots.close(db, election=election, actor=actor, early=True)


def tally_election(db: Session, *, actor: User, election: Election, now: datetime | None = None) -> None:
    settle(db, election, now)
    _expect(election, Phase.CLOSED)
    result = ballots.count(db, election, rules_of(election))
    election.result = canonical(result)
    election.phase = Phase.TALLIED
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_ELECTION_TALLY, subject=election,
        organization_id=election.organization_id,
        data={"outcome": result["outcome"], "result_hash": sha256(election.result)},
    )  # fmt: skip


def _publish(db: Session, actor: User, election: Election, now: datetime) -> None:
    _expect(election, Phase.TALLIED)
    election.phase = Phase.PUBLISHED
    election.published_at = now
    announce.publish_notice(db, actor=actor, election=election)
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_ELECTION_PUBLISH, subject=election,
        organization_id=election.organization_id, data={"result_hash": sha256(election.result)},
    )  # fmt: skip


STEPS: dict[Step, tuple[Phase, Callable[[Session, User, Election, datetime], None]]] = {
    Step.OPEN: (Phase.PUBLICITY, _open_voting),
    Step.CLOSE: (Phase.VOTING, _close_early),
    Step.PUBLISH: (Phase.TALLIED, _publish),
}


def pending_steps(db: Session, election: Election) -> list[Confirmation]:
    return list(db.scalars(select(Confirmation).where(Confirmation.election_id == election.id)))


def request_step(
    db: Session, *, actor: User, election: Election, step: Step, now: datetime | None = None
) -> Confirmation:
    """The first official asks; nothing happens until a second confirms. Raises Conflict."""
    moment = now or utcnow()
    settle(db, election, moment)
    _expect(election, STEPS[step][0])
    if step is Step.OPEN:
        _publicity_over(election, moment)
    if any(p.step is step for p in pending_steps(db, election)):
        raise Conflict(_("That step already awaits a second official."))
    asked = Confirmation(election_id=election.id, step=step, requested_by_id=actor.id)
    db.add(asked)
    db.flush()
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_STEP_REQUEST, subject=election,
        organization_id=election.organization_id, data={"step": str(step)},
    )  # fmt: skip
    return asked


def confirm_step(
    db: Session, *, actor: User, election: Election, step: Step, now: datetime | None = None
) -> None:
    """The second official confirms, and the step is taken. The caller has asked the policy
    (`may_second_election_step`); the one who asked can never confirm. Raises Conflict."""
    moment = now or utcnow()
    settle(db, election, moment)
    asked = next((p for p in pending_steps(db, election) if p.step is step), None)
    if asked is None:
        raise Conflict(_("Nobody has asked for that step."))
    if asked.requested_by_id == actor.id:
        raise Conflict(_("A second official must confirm this step."))
    db.delete(asked)
    db.flush()
    STEPS[step][1](db, actor, election, moment)
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_STEP_CONFIRM, subject=election,
        organization_id=election.organization_id,
        data={"step": str(step), "requested_by": asked.requested_by_id},
    )  # fmt: skip
