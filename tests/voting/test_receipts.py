"""Whether a receipt finds its ballot's marks is the election's setting. On, the voter checks
their ballot was counted as cast; off, a receipt shown to a coercer proves only that a ballot
was counted: the published list holds no receipts, and the voter gets no nonce that would let
anyone try each way of marking against the commitment."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from grassroots.cli import main
from grassroots.db import Database
from tests.conftest import log_in, page, submit
from tests.voting.conftest import FORM, Branch, draft, later, open_voting
from tests.voting.test_record import database_settings, read
from voting import phases, verifier
from voting.verifier import canonical, commitment

NOW = later(days=10, minutes=1)


@pytest.fixture
def closed(database: Database, branch: Branch, vote, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An election whose receipts do not find ballots, closed and exported: its id, the
    receipts given, and the export's directory."""
    with database.writing() as db:
        election = draft(db, branch, receipt_shows_ballot="")
        open_voting(db, branch, election)
        given = [vote(db, election, member, approve=["m1"], now=NOW) for member in branch.members[:3]]
        phases.settle(db, election, now=later(days=11))
        election_id = election.id
    assert (
        main(
            ["election", "export", str(election_id), str(tmp_path / "out")],
            settings=database_settings(database),
        )
        == 0
    )
    return election_id, given, tmp_path / "out"


def test_without_look_up_the_receipt_carries_no_nonce_and_the_list_no_receipts(closed, capsys) -> None:  # type: ignore[no-untyped-def]
    _election_id, given, directory = closed
    assert all(r.nonce == "" and len(r.commitment) == 64 for r in given)
    data = read(directory)
    assert data["election"]["receipt_shows_ballot"] is False
    assert all(set(entry) == {"ballot"} for entry in data["ballots"])
    texts = [canonical(entry["ballot"]) for entry in data["ballots"]]
    assert texts == sorted(texts)
    assert not any(r.code in (directory / "record.json").read_text() for r in given)
    assert main(["election", "verify", str(directory)]) == 0
    capsys.readouterr()
    # The voter checks their commitment is in the chain; the receipt finds no marks.
    assert main(["election", "verify", str(directory), "--commitment", given[0].commitment]) == 0
    assert "entry" in capsys.readouterr().out
    assert main(["election", "verify", str(directory), "--receipt", given[0].code]) == 1
    assert "use --commitment" in capsys.readouterr().out
    assert main(["election", "verify", str(directory), "--commitment", "0" * 64]) == 1


def test_without_the_nonce_no_way_of_marking_matches_the_commitment(closed) -> None:  # type: ignore[no-untyped-def]
    _election_id, given, directory = closed
    data = read(directory)
    keys = [c["key"] for c in data["election"]["candidates"]]
    chain = {link["commitment"] for link in data["chain"]}
    # What a coercer holding the receipt would try: every marking, with an empty or guessed nonce.
    for marks in itertools.product(("approve", "disapprove", "abstain"), repeat=len(keys)):
        ballot = {"marks": dict(zip(keys, marks, strict=True)), "write_ins": {}}
        for nonce in ("", "0" * 32):
            assert commitment(given[0].code, ballot, nonce) not in chain


def test_the_receipt_page_says_counted_but_not_how(app: Any, closed, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    election_id, given, _directory = closed
    found = page(client.get(f"/elections/{election_id}/receipt", params={"code": given[0].code.lower()}))
    assert found.select_one("#found") and not found.select("#found li")
    missing = page(client.get(f"/elections/{election_id}/receipt", params={"code": "A" * 32}))
    assert missing.select_one("#not-found")


def test_with_look_up_the_receipt_page_shows_the_marks(
    database: Database, branch: Branch, vote, client: TestClient, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    with database.writing() as db:
        election = draft(db, branch)
        open_voting(db, branch, election)
        given = vote(db, election, branch.members[0], approve=["m1"], disapprove=["m2"], now=NOW)
        phases.settle(db, election, now=later(days=11))
        election_id = election.id
    assert given.nonce
    found = page(client.get(f"/elections/{election_id}/receipt", params={"code": given.code}))
    assert len(found.select("#found li")) == 3
    assert (
        main(["election", "export", str(election_id), str(tmp_path)], settings=database_settings(database))
        == 0
    )
    assert verifier.find_commitment(read(tmp_path), given.commitment) == 1
    # With the nonce, the listed ballot is shown to be the very one committed at the cast.
    assert main(["election", "verify", str(tmp_path), "--receipt", given.code, "--nonce", given.nonce]) == 0
    assert main(["election", "verify", str(tmp_path), "--receipt", given.code, "--nonce", "0" * 32]) == 1
    data = read(tmp_path)
    data["ballots"][0]["ballot"]["marks"] = dict.fromkeys(data["ballots"][0]["ballot"]["marks"], "abstain")
    data["ballots_hash"] = verifier.ballots_hash(data["ballots"])  # a careful forger fixes the hash
    (tmp_path / "record.json").write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    assert main(["election", "verify", str(tmp_path), "--receipt", given.code, "--nonce", given.nonce]) == 1
    assert "is not in the ballot chain" in capsys.readouterr().out


def test_the_setting_is_on_for_a_new_election_and_an_unticked_box_turns_it_off(
    app: Any, branch: Branch, database: Database
) -> None:
    secretary = TestClient(app, follow_redirects=False)
    log_in(secretary, "sec1")
    form = page(secretary.get("/elections/new?org=branch-a"))
    assert form.select_one("#f-receipt_shows_ballot").has_attr("checked")  # type: ignore[union-attr]
    typed = {k: v for k, v in FORM.items() if k != "receipt_shows_ballot"}
    made = submit(secretary, "/elections/new?org=branch-a", "/elections/new", {**typed, "org": "branch-a"})
    assert made.status_code == 303
    with database.reading() as db:
        election = phases.get_election(db, int(made.headers["location"].rsplit("/", 1)[1]))
        assert election.receipt_shows_ballot is False
