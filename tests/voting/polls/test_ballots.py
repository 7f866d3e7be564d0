"""Voting in a poll as a service: the checks a vote obeys, once per person under concurrent
requests, the close by the clock, and secrecy (nothing kept lines a ballot up with its voter)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import DateTime, inspect, select, text
from sqlalchemy.orm import Session

from grassroots.audit import AuditAction, AuditEntry
from grassroots.db import Database, utcnow
from grassroots.errors import Conflict, FormInvalid, NotPermitted
from tests.voting.polls.conftest import Forum, make_poll
from voting.polls import ballots, polls
from voting.polls.models import PollBallot, PollParticipation, PollState


def test_a_vote_writes_a_participation_and_a_ballot_that_share_nothing(db: Session, forum: Forum) -> None:
    poll = make_poll(db, forum, forum.secretary)
    ballots.cast_vote(db, poll=poll, voter=forum.member, eligible=True, choices=["1"])
    took_part = [(p.poll_id, p.user_id) for p in db.scalars(select(PollParticipation))]
    assert took_part == [(poll.id, forum.member.id)]
    stored = db.scalars(select(PollBallot)).one()
    assert json.loads(stored.content) == {"choices": [1]} and len(stored.id) == 32
    for model in (PollBallot, PollParticipation):
        columns = inspect(model).columns
        assert not any(isinstance(c.type, DateTime) for c in columns)
    assert "user_id" not in inspect(PollBallot).columns
    # No audit entry for a vote: an entry would name the voter and the time.
    poll_entries = db.scalars(select(AuditEntry).where(AuditEntry.action.startswith("voting.poll")))
    assert [e.action for e in poll_entries] == [str(AuditAction.VOTING_POLL_CREATE)]
    assert not any(e.actor_id == forum.member.id for e in db.scalars(select(AuditEntry)))


def test_once_per_person(db: Session, forum: Forum) -> None:
    poll = make_poll(db, forum, forum.secretary)
    ballots.cast_vote(db, poll=poll, voter=forum.member, eligible=True, choices=["0"])
    with pytest.raises(ballots.AlreadyVoted):
        ballots.cast_vote(db, poll=poll, voter=forum.member, eligible=True, choices=["1"])


def test_refused_ballots_store_nothing(db: Session, forum: Forum) -> None:
    poll = make_poll(db, forum, forum.secretary, kind="multiple", max_choices="2")
    for choices in (["0", "1", "2"], ["7"], ["0", "0"], [], ["x"]):
        with pytest.raises(FormInvalid):
            ballots.cast_vote(db, poll=poll, voter=forum.member, eligible=True, choices=choices)
    with pytest.raises(NotPermitted):
        ballots.cast_vote(db, poll=poll, voter=forum.resident, eligible=False, choices=["0"])
    db.rollback()
    assert db.scalars(select(PollBallot)).all() == []


@pytest.mark.parametrize(
    "ranks",
    [{"0": "1", "1": "1"}, {"0": "1", "1": "3"}, {"9": "1"}, {"0": "0"}, {"0": "x"}, {}, {"0": "2"}],
    ids=["duplicate", "gap", "unknown option", "zero", "not a number", "none", "no first"],
)
def test_bad_rankings_are_refused(db: Session, forum: Forum, ranks: dict[str, str]) -> None:
    poll = make_poll(db, forum, forum.secretary, kind="ranked", method="schulze")
    with pytest.raises(FormInvalid):
        ballots.cast_vote(db, poll=poll, voter=forum.member, eligible=True, ranks=ranks)


def test_a_poll_closes_by_itself_at_its_end_and_takes_no_vote_after(db: Session, forum: Forum) -> None:
    poll = make_poll(db, forum, forum.secretary)
    ballots.cast_vote(db, poll=poll, voter=forum.member, eligible=True, choices=["2"])
    later = utcnow() + timedelta(days=8)
    with pytest.raises(Conflict):
        ballots.cast_vote(db, poll=poll, voter=forum.moderator, eligible=True, choices=["2"], now=later)
    assert polls.settle(db, poll, now=later)
    assert poll.state is PollState.CLOSED
    assert json.loads(poll.result)["counts"] == [0, 0, 1]
    query = select(AuditEntry).where(AuditEntry.action == str(AuditAction.VOTING_POLL_CLOSE))
    closed = db.scalars(query).one()
    data = json.loads(closed.data)
    assert closed.actor_id is None and data["ballots"] == 1 and data["voted"] == 1 and not data["early"]


def test_two_votes_from_one_person_at_once_store_exactly_one(database: Database, forum: Forum) -> None:
    with database.writing() as db:
        poll_id = make_poll(db, forum, forum.secretary).id
    start, outcomes = threading.Barrier(2), []

    def vote() -> None:
        start.wait()
        try:
            with database.writing() as db:
                poll = polls.get_poll(db, poll_id, for_update=True)
                ballots.cast_vote(db, poll=poll, voter=forum.member, eligible=True, choices=["0"])
            outcomes.append("cast")
        except ballots.AlreadyVoted:
            outcomes.append("refused")

    threads = [threading.Thread(target=vote) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["cast", "refused"]
    with database.reading() as db:
        for model in (PollBallot, PollParticipation):
            assert len(db.scalars(select(model).where(model.poll_id == poll_id)).all()) == 1


def test_the_close_rewrites_the_stored_order_so_it_no_longer_follows_voting(
    database: Database, forum: Forum
) -> None:
    people = [forum.secretary, forum.moderator, forum.member, forum.resident, forum.outsider]
    with database.writing() as db:
        poll_id = make_poll(db, forum, forum.secretary, voters="signed_in").id
    for number, person in enumerate(reversed(people)):  # each in a transaction of its own
        with database.writing() as db:
            poll = polls.get_poll(db, poll_id, for_update=True)
            ballots.cast_vote(db, poll=poll, voter=person, eligible=True, choices=[str(number % 2)])
    postgres = database.url.startswith("postgresql")
    order, writer = ("ctid", "xmin::text") if postgres else ("rowid", "''")

    def stored(table: str, column: str) -> list[tuple[str, str]]:
        with database.reading() as db:
            query = f"SELECT {column}, {writer} FROM {table} WHERE poll_id = :p ORDER BY {order}"  # noqa: S608
            return [(str(a), str(b)) for a, b in db.execute(text(query), {"p": poll_id})]

    assert [int(u) for u, _x in stored("voting_poll_participations", "user_id")] == [
        p.id for p in reversed(people)
    ]
    with database.writing() as db:
        polls.close_poll(
            db, poll=polls.get_poll(db, poll_id, for_update=True), actor=forum.secretary, early=True
        )
    voters, contents = (
        stored("voting_poll_participations", "user_id"),
        stored("voting_poll_ballots", "content"),
    )
    assert [int(u) for u, _x in voters] == sorted(p.id for p in people)
    assert [c for c, _x in contents] == sorted(c for c, _x in contents)
    assert len({x for _v, x in voters + contents}) == 1  # one transaction wrote them all
