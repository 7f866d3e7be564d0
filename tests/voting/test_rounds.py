"""The round after a result that left seats open: a re-vote between the tied only, or a further
round among those not elected, by approvals and the margin, with the same roll."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from grassroots.db import Database
from grassroots.errors import Conflict
from tests.conftest import log_in, page, submit
from tests.voting.conftest import Branch, Vote, draft, later, open_voting, to_publicity
from voting import candidates, phases, rounds
from voting.models import Election, Phase, RollEntry, Step

NOW = later(days=10, minutes=1)


def publish(db: Session, branch: Branch, election: Election) -> dict:  # type: ignore[type-arg]
    phases.settle(db, election, now=later(days=11))
    phases.tally_election(db, actor=branch.secretary, election=election)
    phases.request_step(db, actor=branch.secretary, election=election, step=Step.PUBLISH)
    phases.confirm_step(db, actor=branch.second, election=election, step=Step.PUBLISH)
    return json.loads(election.result)


def everyone(branch: Branch) -> list:  # type: ignore[type-arg]
    return [*branch.members, branch.secretary]  # 7 of the 8 expected: above four fifths


def names(db: Session, election: Election) -> list[str]:
    return [c.name for c in candidates.list_candidates(db, election, qualified_only=True)]


def test_a_tie_across_the_last_seat_goes_to_a_re_vote_between_the_tied_only(
    db: Session, branch: Branch, vote: Vote
) -> None:
    election = draft(db, branch)
    open_voting(db, branch, election)
    pairs = [("m1", "m2")] * 3 + [("m1", "m3")] * 3 + [("m2", "m3")]
    for voter, approve in zip(everyone(branch), pairs, strict=True):
        vote(db, election, voter, approve=list(approve), now=NOW)
    result = publish(db, branch, election)
    assert result["outcome"] == "runoff" and result["seats_left"] == 1
    following = rounds.start_next_round(db, actor=branch.secretary, election=election)
    assert (following.round, following.parent_id, following.seats) == (2, election.id, 1)
    assert following.phase is Phase.PUBLICITY and following.rules_hash == election.rules_hash
    assert sorted(names(db, following)) == ["m2", "m3"]
    roll = set(db.scalars(select(RollEntry.user_id).where(RollEntry.election_id == following.id)))
    assert roll == set(db.scalars(select(RollEntry.user_id).where(RollEntry.election_id == election.id)))
    with pytest.raises(Conflict):
        rounds.start_next_round(db, actor=branch.secretary, election=election)
    # The re-vote runs as any election does, from the opening of its vote.
    phases.request_step(db, actor=branch.secretary, election=following, step=Step.OPEN, now=NOW)
    phases.confirm_step(db, actor=branch.second, election=following, step=Step.OPEN, now=NOW)
    assert following.phase is Phase.VOTING and following.expected == election.expected


def test_a_further_round_stands_those_not_elected_by_approvals_as_the_margin_needs(
    db: Session, branch: Branch, vote: Vote
) -> None:
    election = draft(db, branch, nominations_each="4")
    to_publicity(db, branch, election, nominees=("m1", "m2", "m3", "m4"))
    phases.request_step(db, actor=branch.secretary, election=election, step=Step.OPEN, now=later(days=10))
    phases.confirm_step(db, actor=branch.second, election=election, step=Step.OPEN, now=later(days=10))
    second = [["m2"]] * 3 + [["m3"]] * 2 + [[]] * 2  # m1 7, m2 3, m3 2, m4 0
    for voter, more in zip(everyone(branch), second, strict=True):
        vote(db, election, voter, approve=["m1", *more], now=NOW)
    result = publish(db, branch, election)
    assert result["outcome"] == "further_round" and result["seats_left"] == 1
    following = rounds.start_next_round(db, actor=branch.secretary, election=election)
    assert sorted(names(db, following)) == ["m2", "m3"]  # one seat, contested: two, the most approved


def test_no_next_round_after_a_complete_result_or_before_publication(
    db: Session, branch: Branch, vote: Vote
) -> None:
    election = draft(db, branch)
    open_voting(db, branch, election)
    for voter in everyone(branch):
        vote(db, election, voter, approve=["m1", "m2"], now=NOW)
    phases.settle(db, election, now=later(days=11))
    with pytest.raises(Conflict):
        rounds.start_next_round(db, actor=branch.secretary, election=election)
    assert publish(db, branch, election)["outcome"] == "complete"
    with pytest.raises(Conflict):
        rounds.start_next_round(db, actor=branch.secretary, election=election)
    assert rounds.next_round_of(db, election) is None


@pytest.mark.parametrize("known", [True, False], ids=["member", "stranger"])
def test_a_tied_written_in_person_stands_in_the_re_vote_when_the_name_is_one_member(
    db: Session, branch: Branch, vote: Vote, known: bool
) -> None:
    election = draft(db, branch)
    open_voting(db, branch, election)
    person = branch.members[5].display_name if known else "王五"
    written = {"m3": person}
    plan = [(["m1", "m2"], {})] * 3 + [(["m1"], written)] * 3 + [(["m2"], written)]  # m1 6, m2 4, person 4
    for voter, (approve, write_ins) in zip(everyone(branch), plan, strict=True):
        vote(db, election, voter, approve=approve, disapprove=["m3"], write_ins=write_ins, now=NOW)
    result = publish(db, branch, election)
    assert result["outcome"] == "runoff" and result["runoff"][1:] == ["write-in:" + person]
    if not known:
        with pytest.raises(Conflict):
            rounds.start_next_round(db, actor=branch.secretary, election=election)
        return
    following = rounds.start_next_round(db, actor=branch.secretary, election=election)
    assert sorted(names(db, following)) == sorted(["m2", person])
    assert all(c.profile_id for c in candidates.list_candidates(db, following))


def test_the_secretary_prepares_the_next_round_from_the_election_page(
    app: Any, database: Database, branch: Branch, vote: Vote, client: TestClient
) -> None:
    with database.writing() as db:
        election = draft(db, branch)
        open_voting(db, branch, election)
        pairs = [("m1", "m2")] * 3 + [("m1", "m3")] * 3 + [("m2", "m3")]
        for voter, approve in zip(everyone(branch), pairs, strict=True):
            vote(db, election, voter, approve=list(approve), now=NOW)
        publish(db, branch, election)
        election_id = election.id
    assert page(client.get(f"/elections/{election_id}")).select_one("form#next-round") is None
    member = TestClient(app, follow_redirects=False)
    log_in(member, "m1")
    assert (
        submit(
            member, f"/elections/{election_id}/results", f"/elections/{election_id}/next-round", {}
        ).status_code
        == 403
    )
    secretary = TestClient(app, follow_redirects=False)
    log_in(secretary, "sec1")
    assert page(secretary.get(f"/elections/{election_id}")).select_one("form#next-round button")
    made = submit(secretary, f"/elections/{election_id}", f"/elections/{election_id}/next-round", {})
    assert made.status_code == 303
    following = page(client.get(made.headers["location"]))
    assert following.select_one("#round a")["href"] == f"/elections/{election_id}"  # type: ignore[index]
    assert {li.strong.get_text() for li in following.select("#candidates li")} == {"m2", "m3"}  # type: ignore[union-attr]
    again = submit(secretary, f"/elections/{election_id}", f"/elections/{election_id}/next-round", {})
    assert again.status_code == 409
    assert page(client.get(f"/elections/{election_id}")).select_one("#next-round a")
