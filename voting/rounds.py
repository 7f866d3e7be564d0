"""The round after a result that left seats open: a re-vote between those tied across the last
seat (Outcome.RUNOFF), or a further round (另行选举) for the seats left (Outcome.FURTHER_ROUND),
never filled from those below the threshold without a new vote.

A further round stands the candidates not elected, by approvals in the round before, as many as
the rules' margin asks for (条例: 根据第一次选举时得票多少的顺序，按照规定的差额比例) and any tied
with the last of them. Either way the new round has the same organization, rules and voter roll
(exclusions included), and starts where the first one's publicity ended: two officials open its
vote, at the same meeting.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots import audit
from grassroots.accounts.models import Membership, User
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import Conflict
from grassroots.i18n import gettext as _

from .candidates import MEMBER_ROLES, list_candidates, publish_profile
from .models import Candidate, Election, Phase, RollEntry
from .phases import rules_of
from .rules import Rules
from .strokes import stroke_key
from .tally import WRITE_IN, Outcome

COPIED = (
    "organization_id", "post_id", "title", "rules", "rules_hash", "public_recommendation",
    "nominations_each", "nomination_days", "publicity_days", "voting_minutes", "nomination_ends_at",
    "receipt_shows_ballot", "self_nomination",
)  # fmt: skip


def next_round_of(db: Session, election: Election) -> Election | None:
    return db.scalars(select(Election).where(Election.parent_id == election.id)).one_or_none()


def needs_next_round(election: Election) -> bool:
    if election.phase is not Phase.PUBLISHED or not election.result:
        return False
    return json.loads(election.result)["outcome"] in (Outcome.RUNOFF, Outcome.FURTHER_ROUND)


def start_next_round(
    db: Session, *, actor: User, election: Election, now: datetime | None = None
) -> Election:
    """The next round of a published `election`, ready for its vote to be opened. The caller
    has asked the policy (`may_run_organization`) and locked `election`. Raises Conflict."""
    if not needs_next_round(election):
        raise Conflict(_("Only a published result with seats left open has a next round."))
    if next_round_of(db, election) is not None:
        raise Conflict(_("The next round has been prepared already."))
    result = json.loads(election.result)
    seats = result["seats_left"]
    if result["outcome"] == Outcome.RUNOFF:
        standing = [_contender(db, election, key) for key in result["runoff"]]
    else:
        standing = _further_round(db, election, result, rules_of(election), seats)
    moment = now or utcnow()
    following = Election(
        **{name: getattr(election, name) for name in COPIED},
        seats=seats, phase=Phase.PUBLICITY, publicity_ends_at=moment,
        parent_id=election.id, round=election.round + 1,
    )  # fmt: skip
    db.add(following)
    db.flush()
    _copy_roll(db, election, following)
    _stand(db, actor, following, standing)
    audit.record(
        db, actor=actor, action=AuditAction.VOTING_ROUND_START, subject=following,
        organization_id=following.organization_id,
        data={"follows": election.id, "round": following.round, "why": result["outcome"], "seats": seats,
              "candidates": [name for _user, name, _profile in standing]},
    )  # fmt: skip
    return following


Standing = tuple[int, str, int | None]  # user id, name, profile id


def _contender(db: Session, election: Election, key: str) -> Standing:
    """A listed candidate by key, or a written-in person found among the organization's members
    by the name written (which must name exactly one of them)."""
    if not key.startswith(WRITE_IN):
        listed = db.get(Candidate, int(key))
        assert listed is not None and listed.election_id == election.id
        return listed.user_id, listed.name, listed.profile_id
    name = key.removeprefix(WRITE_IN)
    found = list(
        db.scalars(
            select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organization_id == election.organization_id,
                Membership.role.in_(MEMBER_ROLES),
                User.display_name == name,
            )
        )
    )
    if len(set(found)) != 1:
        unclear = _("%(name)s was written in, but not exactly one member has that name.", name=name)
        raise Conflict(unclear + " " + _("Hold this re-vote at the meeting instead."))
    return found[0], name, None


def _further_round(
    db: Session, election: Election, result: dict[str, Any], rules: Rules, seats: int
) -> list[Standing]:
    elected = set(result["elected"])
    approvals = {key: count["approve"] for key, count in result["counts"].items()}
    pool = [c for c in list_candidates(db, election, qualified_only=True) if str(c.id) not in elected]
    pool.sort(key=lambda c: -approvals.get(str(c.id), 0))
    contested = election.seats > 1  # a committee's further round is contested even for one seat
    needed = next(
        (
            number
            for number in range(seats, len(pool) + 1)
            if rules.enough_candidates(candidates=number, seats=seats) and (number > seats or not contested)
        ),
        None,
    )
    if needed is None:
        raise Conflict(
            _("Too few candidates are left for a further round: start a new election for the seats left.")
        )
    last = approvals.get(str(pool[needed - 1].id), 0)
    taken = pool[:needed] + [c for c in pool[needed:] if approvals.get(str(c.id), 0) == last]
    return [(c.user_id, c.name, c.profile_id) for c in taken]


def _copy_roll(db: Session, election: Election, following: Election) -> None:
    rows = db.execute(
        select(RollEntry.user_id, RollEntry.excluded_reason).where(RollEntry.election_id == election.id)
    )
    db.add_all(
        RollEntry(election_id=following.id, user_id=user_id, excluded_reason=reason)
        for user_id, reason in rows
    )


def _stand(db: Session, actor: User, following: Election, standing: list[Standing]) -> None:
    note = _("Stands again in round %(round)d.", round=following.round)
    ordered = sorted(standing, key=lambda entry: stroke_key(entry[1]))
    for position, (user_id, name, profile_id) in enumerate(ordered, start=1):
        candidate = Candidate(
            election_id=following.id, user_id=user_id, name=name, qualified=True, accepted=True,
            review_note=note, profile_id=profile_id, position=position,
        )  # fmt: skip
        db.add(candidate)
        db.flush()
        if profile_id is None:
            candidate.profile_id = publish_profile(db, actor, following, candidate).id
