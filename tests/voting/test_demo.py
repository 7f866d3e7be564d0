"""The voting demo: one election in each phase, made through the services; the published one
with some three hundred ballots and a record that verifies; the open one takes a visitor's vote
through the pages; `--voters` adds the casting benchmark's election."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from grassroots.cli import main
from grassroots.db import Database
from grassroots.settings import Settings
from tests.conftest import csrf_from, log_in, page
from tests.voting.test_record import read
from voting import demo, verifier
from voting.models import Ballot, CheckIn, Election, Participation, Phase

PASSWORD = "demo-pass-1"
DEMO = ["demo", "--password", PASSWORD, "--members", "8", "--residents", "4"]


@pytest.fixture
def loaded(settings: Settings, database: Database, capsys: Any) -> dict[Phase, int]:
    assert main(DEMO, settings=settings) == 0
    printed = capsys.readouterr()
    assert "log in as one of them to vote" in printed.err
    with database.reading() as db:
        return {e.phase: e.id for e in db.scalars(select(Election))}


def count(db: Any, model: Any, election_id: int) -> int:
    return db.scalar(select(func.count()).select_from(model).where(model.election_id == election_id))


def test_one_election_in_each_phase(loaded: dict[Phase, int], database: Database, settings: Settings) -> None:
    assert set(loaded) == set(Phase)
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(Election)) == len(Phase)
        opened = db.get_one(Election, loaded[Phase.VOTING])
        assert opened.voting_minutes == demo.LONGEST_VOTE and count(db, Ballot, opened.id) > 0
    assert main(["audit", "verify"], settings=settings) == 0


def test_the_published_election_has_hundreds_of_ballots_and_verifies(
    loaded: dict[Phase, int], database: Database, settings: Settings, app: Any, tmp_path: Path
) -> None:
    published = loaded[Phase.PUBLISHED]
    with database.reading() as db:
        election = db.get_one(Election, published)
        ballots = count(db, Ballot, published)
        assert ballots >= 300 and ballots == count(db, Participation, published) == election.chain_length
        assert count(db, CheckIn, published) > ballots  # a few checked in and did not vote
    assert main(["election", "export", str(published), str(tmp_path)], settings=settings) == 0
    record = read(tmp_path)
    assert verifier.verify(record) == []
    result = record["result"]
    assert result["outcome"] == "complete" and len(result["elected"]) == 5 and result["write_ins"]
    assert len(record["election"]["candidates"]) == 6 and record["counts"]["expected"] == 320
    assert main(["election", "verify", str(tmp_path)], settings=settings) == 0
    client = TestClient(app)
    assert len(page(client.get(f"/elections/{published}/results")).select("svg")) >= 1
    assert client.get(f"/elections/{published}/record.json").json()["ballots_hash"] == record["ballots_hash"]


def test_a_demo_voter_checks_in_and_votes_in_the_open_election(
    loaded: dict[Phase, int], client: TestClient, database: Database
) -> None:
    opened = loaded[Phase.VOTING]
    log_in(client, f"hp_member{demo.HEPING_VOTERS:03d}", PASSWORD)
    checkin = client.get(f"/elections/{opened}/checkin")
    reply = client.post(f"/elections/{opened}/checkin", data={"csrf_token": csrf_from(checkin)})
    assert reply.status_code == 303 and reply.headers["location"].endswith(f"/elections/{opened}/ballot")
    form = page(client.get(f"/elections/{opened}/ballot"))
    names = [radio["name"] for radio in form.select("input[type=radio][value=abstain]")]
    marks = {name: "approve" if number == 0 else "disapprove" for number, name in enumerate(names)}
    fields = {**marks, "csrf_token": form.select_one("input[name=csrf_token]")["value"], "step": "cast"}
    with database.reading() as db:
        before = count(db, Ballot, opened)
    cast = client.post(f"/elections/{opened}/ballot", data=fields)
    assert cast.status_code == 200, cast.text
    with database.reading() as db:
        assert count(db, Ballot, opened) == count(db, Participation, opened) == before + 1
    again = client.post(f"/elections/{opened}/ballot", data=fields)
    assert again.status_code == 409


def test_voters_add_an_open_election_with_everyone_checked_in(
    settings: Settings, database: Database, capsys: Any
) -> None:
    assert main([*DEMO, "--voters", "30"], settings=settings) == 0
    accounts = capsys.readouterr().out.strip().splitlines()[1:]
    voters = [line.split(" ") for line in accounts if line.startswith("voter")]
    assert len(voters) == 30 and all(role == "member" and org == "dongfeng" for _, role, org in voters)
    with database.reading() as db:
        election = db.scalars(select(Election).where(Election.title == demo.BENCH_TITLE)).one()
        assert election.phase is Phase.VOTING and count(db, CheckIn, election.id) == 30
        assert count(db, Ballot, election.id) == 0
