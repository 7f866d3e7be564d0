"""Election fixtures: a branch with two secretaries and six members, and helpers that carry an
election through its phases with the server clock moved past each window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from grassroots.accounts.models import Role, User
from grassroots.accounts.tree import OrgRef
from grassroots.db import Database, utcnow
from tests.conftest import World, make_user
from voting import ballots, candidates, elections, phases
from voting.models import Election, Step

MEMBERS = ["m1", "m2", "m3", "m4", "m5", "m6"]
FORM = {
    "title": "第一支部委员会换届选举",
    "seats": "2",
    "rule_set": "party",
    "nominations_each": "3",
    "nomination_days": "3",
    "publicity_days": "5",
    "voting_minutes": "60",
    "receipt_shows_ballot": "on",
}


@dataclass
class Branch:
    world: World
    org: OrgRef
    secretary: User
    second: User
    members: list[User]


@pytest.fixture
def branch(database: Database, world: World) -> Branch:
    secretary = make_user(database, "sec1", role=Role.SECRETARY, org=world.branch_a)
    second = make_user(database, "sec2", role=Role.SECRETARY, org=world.branch_a)
    members = [make_user(database, name, role=Role.MEMBER, org=world.branch_a) for name in MEMBERS]
    return Branch(world, world.branch_a, secretary, second, members)


def later(days: float = 0, minutes: float = 0) -> datetime:
    return utcnow() + timedelta(days=days, minutes=minutes)


def draft(db: Session, branch: Branch, **typed: str) -> Election:
    return elections.create_election(db, actor=branch.secretary, org=branch.org, typed={**FORM, **typed})


def to_review(
    db: Session, branch: Branch, election: Election, nominees: tuple[str, ...] = ("m1", "m2", "m3")
) -> None:
    phases.open_nomination(db, actor=branch.secretary, election=election)
    for member in branch.members:
        for name in nominees:
            if name != member.username:  # no self-nominations unless the election takes them
                candidates.nominate(
                    db, actor=member, election=election, username=name, reason="工作认真负责。"
                )
    phases.end_nomination(db, actor=branch.secretary, election=election, now=later(days=4))


def to_publicity(
    db: Session, branch: Branch, election: Election, nominees: tuple[str, ...] = ("m1", "m2", "m3")
) -> None:
    to_review(db, branch, election, nominees)
    for candidate in candidates.list_candidates(db, election):
        candidates.review(
            db,
            actor=branch.secretary,
            election=election,
            candidate=candidate,
            qualified=True,
            note="正式党员。",
        )
        nominee = db.get(User, candidate.user_id)
        assert nominee is not None
        candidates.answer(db, actor=nominee, election=election, accept=True)
    phases.start_publicity(db, actor=branch.secretary, election=election, now=later(days=4))


def open_voting(db: Session, branch: Branch, election: Election) -> None:
    to_publicity(db, branch, election)
    phases.request_step(db, actor=branch.secretary, election=election, step=Step.OPEN, now=later(days=10))
    phases.confirm_step(db, actor=branch.second, election=election, step=Step.OPEN, now=later(days=10))


def ballot_keys(db: Session, election: Election) -> dict[str, str]:
    return {str(c.id): c.name for c in candidates.list_candidates(db, election, qualified_only=True)}


Vote = Callable[..., ballots.Receipt]


@pytest.fixture
def vote(branch: Branch) -> Vote:
    """vote(db, election, voter, approve=[names], disapprove=[names], write_ins={name: person})."""

    def cast(
        db: Session, election: Election, voter: User, approve=(), disapprove=(), write_ins=None, now=None
    ):  # type: ignore[no-untyped-def]
        keys = ballot_keys(db, election)
        by_name = {name: key for key, name in keys.items()}
        marks = {key: "abstain" for key in keys}
        marks.update({by_name[n]: "approve" for n in approve})
        marks.update({by_name[n]: "disapprove" for n in disapprove})
        written = {by_name[n]: person for n, person in (write_ins or {}).items()}
        ballots.check_in(db, voter=voter, election=election, now=now)
        return ballots.cast_ballot(
            db, voter=voter, election=election, marks=marks, write_ins=written, candidates=keys, now=now
        )

    return cast
