"""The phases in order, their windows by the server clock, the two-person steps, and the audit
entry each move writes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from grassroots.accounts.models import Role
from grassroots.audit import AuditAction, AuditEntry
from grassroots.db import Database
from grassroots.errors import Conflict, FormInvalid, NotPermitted
from tests.conftest import make_user
from tests.voting.conftest import Branch, draft, later, open_voting, to_publicity, to_review
from voting import candidates, elections, phases
from voting.models import Phase, RollEntry, Step
from voting.rules import PARTY


def actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_a_new_election_is_a_draft_with_its_rules_hashed(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    assert election.phase is Phase.DRAFT
    assert election.rules_hash == PARTY.config_hash()
    assert actions(db)[-1] == AuditAction.VOTING_ELECTION_CREATE


def test_a_bad_form_names_each_field(db: Session, branch: Branch) -> None:
    with pytest.raises(FormInvalid) as caught:
        draft(
            db,
            branch,
            title="",
            seats="0",
            rule_set="general",
            majority_base="x",
            quorum_percent="120",
            margin_percent="5",
        )
    assert set(caught.value.errors) == {"title", "seats", "majority_base", "quorum_percent"}


def test_an_unknown_vacant_post_is_refused(db: Session, branch: Branch) -> None:
    with pytest.raises(FormInvalid) as caught:
        draft(db, branch, post_id="999")
    assert "post_id" in caught.value.errors


def test_no_phase_can_be_skipped(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    with pytest.raises(Conflict):
        phases.end_nomination(db, actor=branch.secretary, election=election, now=later(days=9))
    with pytest.raises(Conflict):
        phases.start_publicity(db, actor=branch.secretary, election=election)
    with pytest.raises(Conflict):
        phases.request_step(db, actor=branch.secretary, election=election, step=Step.OPEN)
    assert election.phase is Phase.DRAFT


def test_nomination_ends_only_after_its_window(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    phases.open_nomination(db, actor=branch.secretary, election=election)
    with pytest.raises(Conflict):
        phases.end_nomination(db, actor=branch.secretary, election=election, now=later(days=2))
    phases.end_nomination(db, actor=branch.secretary, election=election, now=later(days=3, minutes=1))
    assert election.phase is Phase.REVIEW


def test_nominations_within_the_limits(db: Session, branch: Branch) -> None:
    election = draft(db, branch, nominations_each="2")
    phases.open_nomination(db, actor=branch.secretary, election=election)
    member = branch.members[0]
    candidates.nominate(db, actor=member, election=election, username="m2", reason="工作认真负责。")
    with pytest.raises(FormInvalid):
        candidates.nominate(db, actor=member, election=election, username="m2", reason="工作认真负责。")
    with pytest.raises(FormInvalid):
        candidates.nominate(
            db, actor=member, election=election, username="root-admin", reason="工作认真负责。"
        )  # not a member
    candidates.nominate(db, actor=member, election=election, username="m3", reason="工作认真负责。")
    with pytest.raises(Conflict):
        candidates.nominate(db, actor=member, election=election, username="m4", reason="工作认真负责。")
    with pytest.raises(Conflict):
        candidates.nominate(
            db,
            actor=branch.members[1],
            election=election,
            username="m4",
            reason="工作认真负责。",
            now=later(days=3),
        )


def test_the_counts_are_published_when_nomination_ends(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    to_review(db, branch, election, nominees=("m1", "m2"))
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None and entry.action == AuditAction.VOTING_PHASE_ADVANCE
    assert '"counts":[["m1",5],["m2",5]]' in entry.data  # each named by the five others


def test_the_list_needs_every_nominee_reviewed_and_enough_qualified(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    to_review(db, branch, election)
    listed = candidates.list_candidates(db, election)
    with pytest.raises(Conflict):
        phases.start_publicity(db, actor=branch.secretary, election=election)
    candidates.review(
        db, actor=branch.secretary, election=election, candidate=listed[0], qualified=True, note="合格"
    )
    candidates.review(
        db, actor=branch.secretary, election=election, candidate=listed[1], qualified=True, note="合格"
    )
    candidates.review(
        db, actor=branch.secretary, election=election, candidate=listed[2], qualified=False, note="预备党员"
    )
    with pytest.raises(Conflict):  # 2 seats need 3 candidates
        phases.start_publicity(db, actor=branch.secretary, election=election)


def test_publicity_publishes_profiles_and_draws_up_the_roll(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    to_publicity(db, branch, election)
    listed = candidates.list_candidates(db, election, qualified_only=True)
    assert [c.position for c in listed] == [1, 2, 3]
    assert all(c.profile_id for c in listed)
    assert AuditAction.DISCLOSURE_PUBLISH in actions(db)
    assert len(list(db.scalars(select(RollEntry).where(RollEntry.election_id == election.id)))) == 8


def test_a_resident_is_neither_on_the_roll_nor_nominable(
    database: Database, db: Session, branch: Branch
) -> None:
    # Roles are stored by name, and 'RESIDENT' sorts after 'MEMBER': a `>=` in SQL let them in.
    resident = make_user(database, "resident1", role=Role.RESIDENT, org=branch.org)
    election = draft(db, branch)
    to_publicity(db, branch, election)
    on_roll = set(db.scalars(select(RollEntry.user_id).where(RollEntry.election_id == election.id)))
    assert len(on_roll) == 8 and resident.id not in on_roll
    another = draft(db, branch)
    phases.open_nomination(db, actor=branch.secretary, election=another)
    with pytest.raises(FormInvalid):
        candidates.nominate(db, actor=branch.members[0], election=another, username="resident1", reason="好")


def test_opening_takes_a_second_official(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    to_publicity(db, branch, election)
    with pytest.raises(Conflict):  # the publicity period has not ended
        phases.request_step(db, actor=branch.secretary, election=election, step=Step.OPEN)
    phases.request_step(db, actor=branch.secretary, election=election, step=Step.OPEN, now=later(days=10))
    with pytest.raises(Conflict):
        phases.confirm_step(db, actor=branch.secretary, election=election, step=Step.OPEN, now=later(days=10))
    assert election.phase is Phase.PUBLICITY
    phases.confirm_step(db, actor=branch.second, election=election, step=Step.OPEN, now=later(days=10))
    assert election.phase is Phase.VOTING
    assert election.expected == 8 and election.roll_hash
    assert actions(db)[-2:] == [AuditAction.VOTING_ELECTION_OPEN, AuditAction.VOTING_STEP_CONFIRM]


def test_exclusions_from_the_expected_are_recorded_before_opening(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    to_publicity(db, branch, election)
    elections.exclude_from_expected(
        db, actor=branch.secretary, election=election, username="m6", reason="长期病休"
    )
    with pytest.raises(FormInvalid):
        elections.exclude_from_expected(
            db, actor=branch.secretary, election=election, username="m5", reason=" "
        )
    # The public entry says the roll changed, not whom it names or why (an illness is private).
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry is not None and entry.action == AuditAction.VOTING_ROLL_EXCLUDE
    assert json.loads(entry.data) == {"roll": 8, "excluded": 1}
    assert "m6" not in entry.data and "病" not in entry.data
    assert elections.exclusions(db, election) == [("m6", "长期病休")]
    phases.request_step(db, actor=branch.secretary, election=election, step=Step.OPEN, now=later(days=10))
    phases.confirm_step(db, actor=branch.second, election=election, step=Step.OPEN, now=later(days=10))
    assert election.expected == 7
    with pytest.raises(Conflict):  # the roll is frozen
        elections.exclude_from_expected(
            db, actor=branch.secretary, election=election, username="m5", reason="出国"
        )


def test_voting_closes_by_itself_at_its_end(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    open_voting(db, branch, election)
    phases.settle(db, election, now=later(days=10, minutes=30))
    assert election.phase is Phase.VOTING
    phases.settle(db, election, now=later(days=10, minutes=61))
    assert election.phase is Phase.CLOSED
    assert actions(db)[-1] == AuditAction.VOTING_ELECTION_CLOSE


def test_closing_early_and_publishing_take_two(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    open_voting(db, branch, election)
    phases.request_step(db, actor=branch.second, election=election, step=Step.CLOSE, now=later(days=10))
    with pytest.raises(Conflict):
        phases.request_step(
            db, actor=branch.secretary, election=election, step=Step.CLOSE, now=later(days=10)
        )
    phases.confirm_step(db, actor=branch.secretary, election=election, step=Step.CLOSE, now=later(days=10))
    assert election.phase is Phase.CLOSED
    phases.tally_election(db, actor=branch.secretary, election=election)
    assert election.phase is Phase.TALLIED
    phases.request_step(db, actor=branch.secretary, election=election, step=Step.PUBLISH)
    with pytest.raises(Conflict):
        phases.confirm_step(db, actor=branch.secretary, election=election, step=Step.PUBLISH)
    phases.confirm_step(db, actor=branch.second, election=election, step=Step.PUBLISH)
    assert election.phase is Phase.PUBLISHED


def test_self_nomination_only_where_the_election_takes_it(db: Session, branch: Branch) -> None:
    m1 = branch.members[0]
    closed = draft(db, branch)
    phases.open_nomination(db, actor=branch.secretary, election=closed)
    with pytest.raises(FormInvalid):
        candidates.nominate(db, actor=m1, election=closed, username="m1", reason="工作认真负责。")
    open_to_self = draft(db, branch, self_nomination="on")
    phases.open_nomination(db, actor=branch.secretary, election=open_to_self)
    candidates.nominate(db, actor=m1, election=open_to_self, username="m1", reason="工作认真负责。")


def test_each_nominee_accepts_or_declines_and_only_those_who_accept_stand(
    db: Session, branch: Branch
) -> None:
    election = draft(db, branch, nominations_each="4")
    with pytest.raises(Conflict):  # not yet: nobody is a nominee before the window ends
        candidates.answer(db, actor=branch.members[0], election=election, accept=True)
    to_review(db, branch, election, nominees=("m1", "m2", "m3", "m4"))
    for candidate in candidates.list_candidates(db, election):
        candidates.review(
            db, actor=branch.secretary, election=election, candidate=candidate, qualified=True, note="党员。"
        )
    with pytest.raises(NotPermitted):
        candidates.answer(db, actor=branch.members[5], election=election, accept=True)
    for member in branch.members[:3]:
        candidates.answer(db, actor=member, election=election, accept=True)
    with pytest.raises(Conflict):  # m4 has not answered
        phases.start_publicity(db, actor=branch.secretary, election=election, now=later(days=4))
    candidates.answer(db, actor=branch.members[3], election=election, accept=False)
    phases.start_publicity(db, actor=branch.secretary, election=election, now=later(days=4))
    assert sorted(c.name for c in candidates.list_candidates(db, election) if c.position) == [
        "m1",
        "m2",
        "m3",
    ]
    assert AuditAction.VOTING_CANDIDATE_ANSWER in actions(db)
