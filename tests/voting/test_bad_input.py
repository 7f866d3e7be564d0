"""The issue's bad input, through HTTP as a person would send it: clear errors, never a 500, and
no ballot stored or lost that should not be."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from grassroots.accounts.models import Role
from grassroots.db import Database
from tests.conftest import World, csrf_from, field_error, log_in, make_user, page
from tests.voting.conftest import Branch, ballot_keys, draft, later, open_voting
from tests.voting.test_pages import past
from voting import phases
from voting.models import Ballot, Nomination, Participation


@pytest.fixture
def as_person(app: Any) -> Iterator[Any]:
    clients: list[TestClient] = []

    def signed_in(username: str) -> TestClient:
        client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
        clients.append(client)
        log_in(client, username)
        return client

    yield signed_in
    for client in clients:
        client.close()


@pytest.fixture
def voting(database: Database, branch: Branch) -> tuple[int, list[str]]:
    with database.writing() as db:
        election = draft(db, branch)
        open_voting(db, branch, election)
        return election.id, list(ballot_keys(db, election))


def send(client: TestClient, election_id: int, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get(f"/elections/{election_id}"))
    return client.post(f"/elections/{election_id}/{path}", data={**data, "csrf_token": token})


def stored(database: Database, election_id: int) -> tuple[int, int]:
    with database.reading() as db:
        number = [
            db.scalar(select(func.count()).select_from(model).where(model.election_id == election_id))
            for model in (Ballot, Participation)
        ]
    return number[0] or 0, number[1] or 0


def cast(client: TestClient, election_id: int, marks: dict[str, str], **extra: str):  # type: ignore[no-untyped-def]
    return send(
        client, election_id, "ballot", {**{f"mark-{k}": v for k, v in marks.items()}, "step": "cast", **extra}
    )


def test_ballots_that_must_not_be_stored(
    as_person: Any, database: Database, world: World, voting: tuple[int, list[str]]
) -> None:
    election_id, keys = voting
    abstain = dict.fromkeys(keys, "abstain")
    make_user(database, "outsider", role=Role.MEMBER, org=world.branch_b)
    outsider = as_person("outsider")
    assert cast(outsider, election_id, abstain).status_code == 403  # not on the roll
    voter = as_person("m1")
    assert cast(voter, election_id, abstain).status_code == 303  # not checked in: to the check-in
    assert stored(database, election_id) == (0, 0)
    assert send(voter, election_id, "checkin", {}).status_code == 303
    too_many = cast(voter, election_id, dict.fromkeys(keys, "approve"))
    assert too_many.status_code == 400 and page(too_many).select_one("#f-ballot-error")
    beside = cast(voter, election_id, {**abstain, keys[0]: "approve"}, **{f"write_in-{keys[0]}": "张三"})
    assert beside.status_code == 400 and field_error(beside, f"write_in-{keys[0]}")
    abstained = cast(voter, election_id, abstain, **{f"write_in-{keys[1]}": "张三"})
    assert abstained.status_code == 400 and field_error(abstained, f"write_in-{keys[1]}")
    huge = "张" * 10_000
    long_name = cast(voter, election_id, {**abstain, keys[2]: "disapprove"}, **{f"write_in-{keys[2]}": huge})
    assert long_name.status_code == 400 and field_error(long_name, f"write_in-{keys[2]}")
    unknown = cast(voter, election_id, {**abstain, keys[0]: "maybe"}, **{"mark-99999": "approve"})
    assert unknown.status_code == 400
    assert stored(database, election_id) == (0, 0)
    # A name of spaces only is no write-in at all: the ballot is cast as marked.
    blank = cast(voter, election_id, {**abstain, keys[2]: "disapprove"}, **{f"write_in-{keys[2]}": "   "})
    assert blank.status_code == 200 and page(blank).select_one("#receipt-code")
    again = cast(voter, election_id, abstain)
    assert again.status_code == 409
    assert stored(database, election_id) == (1, 1)


def test_a_ballot_racing_the_close_is_not_stored_and_closes_the_box(
    as_person: Any, database: Database, voting: tuple[int, list[str]]
) -> None:
    election_id, keys = voting
    voter = as_person("m2")
    send(voter, election_id, "checkin", {})
    form_token = csrf_from(voter.get(f"/elections/{election_id}/ballot"))
    past(database, election_id, "voting_ends_at")
    late = voter.post(
        f"/elections/{election_id}/ballot",
        data={**{f"mark-{k}": "abstain" for k in keys}, "step": "cast", "csrf_token": form_token},
    )
    assert late.status_code == 303 and late.headers["location"] == f"/elections/{election_id}"
    assert stored(database, election_id) == (0, 0)
    with database.reading() as db:
        assert str(phases.get_election(db, election_id).phase) == "closed"


def test_phase_moves_out_of_order_or_without_the_second_official(
    as_person: Any, voting: tuple[int, list[str]]
) -> None:
    election_id, _keys = voting
    secretary = as_person("sec1")
    assert send(secretary, election_id, "advance", {"to": "tally"}).status_code == 409
    assert send(secretary, election_id, "advance", {"to": "published"}).status_code == 400
    assert send(secretary, election_id, "step", {"step": "publish", "action": "request"}).status_code == 409
    assert send(secretary, election_id, "step", {"step": "close", "action": "confirm"}).status_code == 409
    assert send(secretary, election_id, "step", {"step": "nonsense", "action": "request"}).status_code == 400
    assert send(secretary, election_id, "step", {"step": "close", "action": "request"}).status_code == 303
    assert send(secretary, election_id, "step", {"step": "close", "action": "confirm"}).status_code == 403
    member = as_person("m3")
    assert send(member, election_id, "step", {"step": "close", "action": "confirm"}).status_code == 403


def test_nominations_beyond_the_limit_or_outside_the_organization(
    as_person: Any, database: Database, branch: Branch, world: World
) -> None:
    make_user(database, "stranger", role=Role.MEMBER, org=world.branch_b)
    with database.writing() as db:
        election = draft(db, branch, nominations_each="1")
        phases.open_nomination(db, actor=branch.secretary, election=election)
        election_id = election.id
    nominator = as_person("m1")
    for name in ("stranger", "nobody", "", "x" * 10_000, "' OR 1=1 --"):
        refused = send(nominator, election_id, "nominate", {"username": name, "reason": "好"})
        assert refused.status_code == 400 and field_error(refused, "username"), name
    for reason in ("", "   ", "理" * 501):
        refused = send(nominator, election_id, "nominate", {"username": "m2", "reason": reason})
        assert refused.status_code == 400 and field_error(refused, "reason")
    assert send(nominator, election_id, "nominate", {"username": "m2", "reason": "好"}).status_code == 303
    assert send(nominator, election_id, "nominate", {"username": "m3", "reason": "好"}).status_code == 409
    with database.reading() as db:
        assert db.scalar(select(func.count()).select_from(Nomination)) == 1


@pytest.mark.parametrize(
    "code", ["", "XXXX", "'; DROP TABLE voting_ballots; --", "码" * 5000, "\x00", "A" * 32, "%", "----"]
)
def test_receipts_of_the_wrong_form_are_simply_not_found(
    app: Any, database: Database, branch: Branch, code: str
) -> None:
    with database.writing() as db:
        election = draft(db, branch)
        open_voting(db, branch, election)
        phases.settle(db, election, now=later(days=11))
        election_id = election.id
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(f"/elections/{election_id}/receipt", params={"code": code})
    assert response.status_code == 200
    assert page(response).select_one("#not-found") or not code.strip()
