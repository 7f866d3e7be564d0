"""The exported record, the election commands and the standalone verifier: an intact record
verifies; altering, deleting, adding, swapping or reordering ballots, chain links, audit entries
or the result makes verification fail and say where."""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from grassroots.cli import main
from grassroots.db import Database
from grassroots.settings import Settings
from tests.voting.conftest import Branch, draft, later, open_voting
from voting import ballots, phases, record, verifier

NOW = later(days=10, minutes=1)


@pytest.fixture
def exported(database: Database, branch: Branch, vote, tmp_path: Path) -> tuple[Path, list[str]]:  # type: ignore[no-untyped-def]
    with database.writing() as db:
        election = draft(db, branch)
        open_voting(db, branch, election)
        codes = []
        for number, member in enumerate([*branch.members, branch.secretary]):  # 7 of 8: a quorum
            picks = (["m1", "m2"], ["m1"], ["m3"])[number % 3]
            codes.append(
                vote(
                    db, election, member, approve=picks, disapprove=["m3"] if number == 1 else [], now=NOW
                ).code
            )
        phases.settle(db, election, now=later(days=11))
        phases.tally_election(db, actor=branch.secretary, election=election)
        election_id = election.id
    assert (
        main(
            ["election", "export", str(election_id), str(tmp_path / "out")],
            settings=database_settings(database),
        )
        == 0
    )
    return tmp_path / "out", codes


def database_settings(database: Database) -> Settings:
    return Settings(database_url=database.url).resolved()


def read(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "record.json").read_text(encoding="utf-8"))


def test_an_intact_record_verifies(exported: tuple[Path, list[str]], capsys) -> None:  # type: ignore[no-untyped-def]
    directory, _codes = exported
    assert main(["election", "verify", str(directory)]) == 0
    assert capsys.readouterr().out.startswith("ok: chain head")
    data = read(directory)
    assert data["result"]["elected"] and data["counts"] == {
        "present": 7,
        "voted": 7,
        "ballots": 7,
        "expected": 8,
    }


def test_a_receipt_finds_its_ballot(exported: tuple[Path, list[str]], capsys) -> None:  # type: ignore[no-untyped-def]
    directory, codes = exported
    assert main(["election", "verify", str(directory), "--receipt", codes[0].lower()]) == 0
    assert '"marks"' in capsys.readouterr().out
    assert main(["election", "verify", str(directory), "--receipt", "NOT-A-CODE"]) == 1
    assert "not in the ballot list" in capsys.readouterr().out


def test_the_standalone_verifier_runs_alone_and_its_hash_is_in_the_record(
    exported: tuple[Path, list[str]],
) -> None:
    directory, _codes = exported
    script = directory / "verifier.py"
    assert hashlib.sha256(script.read_bytes()).hexdigest() == read(directory)["verifier_sha256"]
    # -I: isolated from the site's packages and the working directory; the standard library only.
    done = subprocess.run(
        [sys.executable, "-I", str(script), str(directory)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _swap(items: list[Any], i: int = 0, j: int = 1) -> None:
    items[i], items[j] = items[j], items[i]


def _alter_mark(r: dict[str, Any]) -> None:
    marks = r["ballots"][0]["ballot"]["marks"]
    key = next(iter(marks))
    marks[key] = "disapprove" if marks[key] != "disapprove" else "approve"


def _forge(r: dict[str, Any]) -> None:
    forged = copy.deepcopy(r["ballots"][-1])
    forged["receipt"] = "ZZZZ-" + forged["receipt"]
    r["ballots"].append(forged)


def _close_entry(r: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in r["audit"] if e["content"]["action"] == "voting.election.close")


TAMPERING: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "alter a ballot": (_alter_mark, "ballots: the list does not match its hash"),
    "delete a ballot": (lambda r: r["ballots"].pop(2), "ballots"),
    "add a ballot": (_forge, "ballots"),
    "reorder the ballots": (lambda r: _swap(r["ballots"]), "ballots: not sorted by receipt"),
    "alter a commitment": (lambda r: r["chain"][1].update(commitment="0" * 64), "chain: entry 2"),
    "delete a chain link": (lambda r: r["chain"].pop(0), "chain: entry 1"),
    "swap chain links": (lambda r: _swap(r["chain"], 2, 3), "chain: entry 3"),
    "alter an audit entry": (lambda r: _close_entry(r)["content"]["data"].update(ballots=99), "audit: entry"),
    "delete the closing entry": (
        lambda r: r["audit"].remove(_close_entry(r)),
        "audit: the closing entry is missing",
    ),
    "swap audit entries": (lambda r: _swap(r["audit"], 0, 1), "audit: entry"),
    "alter the result": (lambda r: r["result"]["elected"].append("write-in:张三"), "result: elected"),
    "alter a count": (
        lambda r: r["counts"].update(present=6),
        "audit: the closing entry records another present",
    ),
    "alter the rules": (lambda r: r["election"]["rules"].update(quorum_num=1), "election: the rules"),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_tampering_is_found(exported: tuple[Path, list[str]], how: str, capsys) -> None:  # type: ignore[no-untyped-def]
    directory, _codes = exported
    change, expected = TAMPERING[how]
    data = read(directory)
    change(data)
    (directory / "record.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["election", "verify", str(directory)]) == 1
    assert expected in capsys.readouterr().out


def test_a_malformed_record_fails_without_a_traceback(exported: tuple[Path, list[str]], capsys) -> None:  # type: ignore[no-untyped-def]
    directory, _codes = exported
    data = read(directory)
    del data["chain"]
    (directory / "record.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["election", "verify", str(directory)]) == 1
    assert "record: malformed" in capsys.readouterr().out


def test_the_record_waits_for_the_close(db: Session, branch: Branch) -> None:
    election = draft(db, branch)
    open_voting(db, branch, election)
    with pytest.raises(ballots.Conflict):
        record.build(db, election)
    assert verifier.genesis(election.id) == election.chain_head


AUDIT_CONTENT = {
    "seq": 7, "at": "2026-12-01T23:21:37.732697Z", "actor_id": 12, "actor": "voter0001",
    "action": "voting.checkin.add", "subject": ["voting_elections", "1"], "organization_id": 1,
    "data": {}, "prev": "ab" * 32,
}  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"actor_id": None, "organization_id": None, "actor": ""},
        {"data": {"title": '换届选举 "引号" \\ \n', "seats": 5, "list": [1, None, True]}},
        {"actor": "王\u2028\x00"},
        {"seq": True},
        {"actor_id": "12"},
        {"subject": ["voting_elections"]},
        {"data": []},
        {"extra": 1},
        {"prev": 5},
    ],
)
def test_the_verifier_writes_audit_entries_out_as_canonical_does(change: dict[str, Any]) -> None:
    content = {**AUDIT_CONTENT, **change}
    assert verifier._audit_text(content) == verifier.canonical(content)


@pytest.mark.parametrize(
    "link",
    [(1, 2, "ab", "cd"), (1, 2, 'a"b', "王"), (True, 2, "ab", "cd"), (1, 2.0, "ab", "cd"), (1, 2, 3, None)],
)
def test_the_verifier_writes_chain_links_out_as_canonical_does(link: tuple[Any, ...]) -> None:
    election_id, seq, prev, commit = link
    entry = {"election": election_id, "seq": seq, "prev": prev, "commitment": commit}
    assert verifier._link_text(*link) == verifier.canonical(entry)
