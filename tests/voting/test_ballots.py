"""Check-in and the ballot: the rules a cast obeys, once per voter under concurrent requests,
and secrecy: nothing kept lines a ballot up with its voter."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import DateTime, inspect, select, text
from sqlalchemy.orm import Session

from grassroots.accounts.services import get_user_by_username
from grassroots.audit import AuditEntry
from grassroots.db import Database
from grassroots.errors import Conflict, FormInvalid, NotPermitted
from grassroots.schema import metadata
from tests.voting.conftest import Branch, Vote, ballot_keys, draft, later, open_voting
from voting import ballots, phases, record
from voting.models import Ballot, ChainLink, Participation, Phase
from voting.verifier import commitment


@pytest.fixture
def election(db: Session, branch: Branch):  # type: ignore[no-untyped-def]
    made = draft(db, branch)
    open_voting(db, branch, made)
    return made


NOW = later(days=10, minutes=1)


def test_a_ballot_is_cast_once(db: Session, branch: Branch, election, vote: Vote) -> None:  # type: ignore[no-untyped-def]
    voter = branch.members[0]
    receipt = vote(db, election, voter, approve=["m1"], disapprove=["m2"], now=NOW)
    assert len(receipt.code.replace("-", "")) == 32 and len(receipt.nonce) == 32
    with pytest.raises(ballots.AlreadyVoted):
        vote(db, election, voter, approve=["m2"], now=NOW)
    assert election.chain_length == 1


def test_the_commitment_holds_receipt_marks_and_nonce(
    db: Session, branch: Branch, election, vote: Vote
) -> None:  # type: ignore[no-untyped-def]
    receipt = vote(db, election, branch.members[0], approve=["m1"], now=NOW)
    stored = db.scalars(select(Ballot).where(Ballot.receipt == receipt.code)).one()
    assert commitment(receipt.code, json.loads(stored.content), receipt.nonce) == receipt.commitment
    link = db.scalars(select(ChainLink).where(ChainLink.election_id == election.id)).one()
    assert link.commitment == receipt.commitment and election.chain_head == link.hash


def test_more_approvals_than_seats_are_refused_write_ins_included(
    db: Session, branch: Branch, election, vote: Vote
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FormInvalid) as caught:
        vote(db, election, branch.members[0], approve=["m1", "m2", "m3"], now=NOW)
    assert "ballot" in caught.value.errors
    with pytest.raises(FormInvalid):
        vote(
            db,
            election,
            branch.members[0],
            approve=["m1", "m2"],
            disapprove=["m3"],
            write_ins={"m3": "张三"},
            now=NOW,
        )
    vote(
        db, election, branch.members[0], approve=["m1"], disapprove=["m3"], write_ins={"m3": "张三"}, now=NOW
    )


def test_a_write_in_only_in_place_of_a_disapproved_candidate(
    db: Session, branch: Branch, election, vote: Vote
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FormInvalid) as caught:
        vote(db, election, branch.members[0], approve=["m1"], write_ins={"m3": "张三"}, now=NOW)
    assert set(caught.value.errors) == {
        f"write_in-{key}" for key, name in ballot_keys(db, election).items() if name == "m3"
    }


def test_only_voters_on_the_roll_who_checked_in_may_vote(
    db: Session, database: Database, branch: Branch, election
) -> None:  # type: ignore[no-untyped-def]
    stranger = get_user_by_username(db, "root-admin")  # an admin, not a member of the branch
    assert stranger is not None
    with pytest.raises(NotPermitted):
        ballots.check_in(db, voter=stranger, election=election, now=NOW)
    keys = ballot_keys(db, election)
    marks = dict.fromkeys(keys, "abstain")
    with pytest.raises(Conflict):
        ballots.cast_ballot(
            db,
            voter=branch.members[0],
            election=election,
            marks=marks,
            write_ins={},
            candidates=keys,
            now=NOW,
        )


def test_no_ballot_after_the_end(db: Session, branch: Branch, election, vote: Vote) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict):
        vote(db, election, branch.members[0], approve=["m1"], now=later(days=10, minutes=61))


def test_close_publishes_ballots_by_receipt_and_records_the_counts(
    db: Session, branch: Branch, election, vote: Vote
) -> None:  # type: ignore[no-untyped-def]
    codes = [vote(db, election, member, approve=["m1"], now=NOW).code for member in branch.members]
    phases.settle(db, election, now=later(days=11))
    assert election.phase is Phase.CLOSED
    listed = ballots.published_ballots(db, election)
    assert [entry["receipt"] for entry in listed] == sorted(codes)
    closing = json.loads(db.scalars(select(AuditEntry.data).order_by(AuditEntry.seq.desc())).first() or "{}")
    assert closing["chain_head"] == election.chain_head and closing["chain_length"] == 6
    assert (closing["ballots"], closing["voted"], closing["present"], closing["expected"]) == (6, 6, 6, 8)
    assert closing["void"] is False


def test_nothing_kept_lines_a_ballot_up_with_its_voter(
    db: Session, branch: Branch, election, vote: Vote
) -> None:  # type: ignore[no-untyped-def]
    receipts = [vote(db, election, member, approve=["m1"], now=NOW) for member in branch.members[:4]]
    phases.settle(db, election, now=later(days=11))
    phases.tally_election(db, actor=branch.secretary, election=election)
    # The shape: ballots hold no voter and no time; participations and check-ins no time.
    for table in ("voting_ballots", "voting_participations", "voting_checkins", "voting_chain"):
        columns = metadata.tables[table].columns
        assert not [
            c.name
            for c in columns
            if isinstance(c.type, DateTime) or "time" in c.name or c.name.endswith("_at")
        ]
    assert {c.name for c in metadata.tables["voting_ballots"].columns} == {
        "id",
        "election_id",
        "receipt",
        "content",
    }
    assert {c.name for c in metadata.tables["voting_participations"].columns} == {"election_id", "user_id"}
    # The rows: no row anywhere holds a receipt or a commitment beside a reference to a person.
    secrets_of_ballots = {r.code for r in receipts} | {r.commitment for r in receipts}
    secrets_of_ballots |= set(db.scalars(select(Ballot.id)))
    for table in metadata.sorted_tables:
        person_columns = [
            c.name for c in table.columns if any(fk.column.table.name == "users" for fk in c.foreign_keys)
        ]
        for row in db.execute(select(table)).mappings():
            text = json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False)
            if any(secret in text for secret in secrets_of_ballots):
                assert not [name for name in person_columns if row[name] is not None], (table.name, row)
    # The audit log and the record: no receipt, ballot key or commitment in any entry.
    for entry in db.scalars(select(AuditEntry)):
        assert not any(secret in entry.data + entry.subject_id for secret in secrets_of_ballots)
    exported = record.build(db, election)
    assert all(set(entry) == {"receipt", "ballot"} for entry in exported["ballots"])
    assert not any(secret in json.dumps(exported["audit"]) for secret in secrets_of_ballots)
    keys = {c["key"] for c in exported["election"]["candidates"]}
    assert all(set(entry["ballot"]["marks"]) == keys for entry in exported["ballots"])
    assert not any(f'"{m.username}"' in json.dumps(exported["ballots"]) for m in branch.members)


def test_ballot_keys_are_random_not_sequential(db: Session, branch: Branch, election, vote: Vote) -> None:  # type: ignore[no-untyped-def]
    for member in branch.members:
        vote(db, election, member, approve=["m1"], now=NOW)
    keys = list(db.scalars(select(Ballot.id)))
    assert all(len(key) == 32 for key in keys) and len(set(keys)) == 6
    assert not any(c.autoincrement is True for c in inspect(Ballot).columns)


def test_two_ballots_from_one_voter_at_once_store_exactly_one(database: Database, branch: Branch) -> None:
    with database.writing() as db:
        made = draft(db, branch)
        open_voting(db, branch, made)
        ballots.check_in(db, voter=branch.members[0], election=made, now=NOW)
        election_id, keys = made.id, ballot_keys(db, made)
    start, outcomes = threading.Barrier(2), []

    def cast() -> None:
        start.wait()
        try:
            with database.writing() as db:
                election = phases.get_election(db, election_id, for_update=True)
                marks = dict.fromkeys(keys, "abstain")
                ballots.cast_ballot(
                    db,
                    voter=branch.members[0],
                    election=election,
                    marks=marks,
                    write_ins={},
                    candidates=keys,
                    now=NOW,
                )
            outcomes.append("cast")
        except ballots.AlreadyVoted:
            outcomes.append("refused")

    threads = [threading.Thread(target=cast) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["cast", "refused"]
    with database.reading() as db:
        assert len(list(db.scalars(select(Ballot).where(Ballot.election_id == election_id)))) == 1
        assert (
            len(list(db.scalars(select(Participation).where(Participation.election_id == election_id)))) == 1
        )
        assert len(list(db.scalars(select(ChainLink).where(ChainLink.election_id == election_id)))) == 1


def _stored_order(db: Session, table: str, column: str, election_id: int) -> list[tuple[str, str]]:
    """The rows as the database keeps them (rowid, ctid) with the transaction that wrote each
    (PostgreSQL's xmin; nothing on SQLite)."""
    postgres = db.get_bind().dialect.name == "postgresql"
    order, writer = ("ctid", "xmin::text") if postgres else ("rowid", "''")
    query = f"SELECT {column}, {writer} FROM {table} WHERE election_id = :e ORDER BY {order}"  # noqa: S608
    return [(str(value), str(xmin)) for value, xmin in db.execute(text(query), {"e": election_id})]


def test_the_close_rewrites_the_stored_order_so_it_no_longer_follows_casting(
    database: Database, branch: Branch, vote: Vote
) -> None:
    with database.writing() as db:
        made = draft(db, branch)
        open_voting(db, branch, made)
        election_id = made.id
    # Each voter in a transaction of their own, in the reverse order of their accounts.
    cast_order = list(reversed(branch.members))
    codes = []
    for member in cast_order:
        with database.writing() as db:
            election = phases.get_election(db, election_id, for_update=True)
            codes.append(vote(db, election, member, approve=["m1"], now=NOW).code)
    with database.reading() as db:
        rows = _stored_order(db, "voting_participations", "user_id", election_id)
        voters = [int(user) for user, _xmin in rows]
        assert voters == [m.id for m in cast_order]  # what a copy of the database shows while voting
    with database.writing() as db:
        phases.settle(db, phases.get_election(db, election_id, for_update=True), now=later(days=11))
    with database.reading() as db:
        stored = _stored_order(db, "voting_ballots", "receipt", election_id)
        assert [receipt for receipt, _xmin in stored] == sorted(codes)
        for table in ("voting_participations", "voting_checkins"):
            rows = _stored_order(db, table, "user_id", election_id)
            assert [int(user) for user, _xmin in rows] == sorted(m.id for m in branch.members)
            stored += rows
        assert len({xmin for _value, xmin in stored}) == 1  # one transaction wrote them all
        assert len(set(db.scalars(select(Ballot.id)))) == 6
    with database.reading() as db:
        election = phases.get_election(db, election_id)
        assert [entry["receipt"] for entry in ballots.published_ballots(db, election)] == sorted(codes)


def test_many_voters_casting_at_once_all_get_their_ballot_in(database: Database, branch: Branch) -> None:
    """As the ballot page casts: the election read without a lock, the cast locking it last.
    With FOR UPDATE on the election, two casts that had written their participations (each
    holding FOR KEY SHARE through the foreign key) waited on each other: PostgreSQL's deadlock."""
    with database.writing() as db:
        made = draft(db, branch)
        open_voting(db, branch, made)
        for member in branch.members:
            ballots.check_in(db, voter=member, election=made, now=NOW)
        election_id, keys = made.id, ballot_keys(db, made)
    start, problems = threading.Barrier(len(branch.members)), []

    def cast(member) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            with database.writing() as db:
                election = phases.get_election(db, election_id)
                ballots.cast_ballot(
                    db, voter=member, election=election, marks=dict.fromkeys(keys, "abstain"),
                    write_ins={}, candidates=keys, now=NOW,
                )  # fmt: skip
        except Exception as error:  # noqa: BLE001  (reported below)
            problems.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=cast, args=(member,)) for member in branch.members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert problems == []
    with database.reading() as db:
        election = phases.get_election(db, election_id)
        assert election.chain_length == len(branch.members)
        assert len(ballots.published_ballots(db, election)) == len(branch.members)
