"""The election pages through HTTP, as each person would use them: the secretary creates and
runs an election, a second official confirms, members nominate, check in, vote and look up
their receipt, and everyone reads the result."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from grassroots.db import Database, utcnow
from tests.conftest import field_error, log_in, page, squash, submit
from tests.voting.conftest import FORM, Branch
from voting.models import Candidate, Election


def signed_in(app: Any, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    log_in(client, username)
    return client


def post(client: TestClient, election_id: int, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return submit(client, f"/elections/{election_id}", f"/elections/{election_id}/{action}", data)


def past(database: Database, election_id: int, column: str) -> None:
    with database.writing() as db:
        db.execute(
            update(Election)
            .where(Election.id == election_id)
            .values({column: utcnow() - timedelta(seconds=1)})
        )


@pytest.fixture
def secretary(app: Any, branch: Branch) -> TestClient:
    return signed_in(app, "sec1")


def create(secretary: TestClient) -> int:
    response = submit(secretary, "/elections/new?org=branch-a", "/elections/new", {**FORM, "org": "branch-a"})
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_a_bad_election_form_comes_back_with_what_was_typed(secretary: TestClient) -> None:
    response = submit(
        secretary, "/elections/new?org=branch-a", "/elections/new", {**FORM, "org": "branch-a", "seats": "0"}
    )
    assert response.status_code == 400
    assert field_error(response, "seats")
    assert page(response).select_one("#f-title")["value"] == FORM["title"]  # type: ignore[index]


def test_only_those_who_run_the_organization_create_or_move_elections(
    app: Any, secretary: TestClient
) -> None:
    election_id = create(secretary)
    member = signed_in(app, "m1")
    assert member.get("/elections/new?org=branch-a").status_code == 403
    response = post(member, election_id, "advance", {"to": "nomination"})
    assert response.status_code == 403


def test_the_elections_are_in_every_header_and_a_secretary_starts_one_from_their_list(
    app: Any, secretary: TestClient, client: TestClient
) -> None:
    for reader in (client, secretary):
        assert page(reader.get("/forum/")).select_one('header a[href="/elections/"]') is not None
    listed = page(secretary.get("/elections/"))
    start = listed.select_one('a[href="/elections/new?org=branch-a"]')
    assert start is not None, "the secretary of branch-a finds where to start an election"
    assert secretary.get(start["href"]).status_code == 200  # type: ignore[arg-type]
    for other in (client, signed_in(app, "m1")):
        assert page(other.get("/elections/")).select_one('a[href^="/elections/new"]') is None


def test_unknown_elections_are_not_found(client: TestClient) -> None:
    assert client.get("/elections/999").status_code == 404
    assert client.get("/elections/999/record.json").status_code == 404


def _to_voting(app: Any, database: Database, secretary: TestClient) -> int:
    election_id = create(secretary)
    assert post(secretary, election_id, "advance", {"to": "nomination"}).status_code == 303
    members = [signed_in(app, f"m{n}") for n in range(1, 7)]
    bad = submit(
        members[0],
        f"/elections/{election_id}/nominate",
        f"/elections/{election_id}/nominate",
        {"username": "nobody"},
    )
    assert bad.status_code == 400 and field_error(bad, "username")
    for number, member in enumerate(members, start=1):
        for name in {"m1", "m2", "m3"} - {f"m{number}"}:
            response = submit(
                member,
                f"/elections/{election_id}/nominate",
                f"/elections/{election_id}/nominate",
                {"username": name, "reason": "群众基础好。"},
            )
            assert response.status_code == 303
    past(database, election_id, "nomination_ends_at")
    assert post(secretary, election_id, "advance", {"to": "review"}).status_code == 303
    with database.reading() as db:
        ids = [c.id for c in db.query(Candidate).filter(Candidate.election_id == election_id)]
    empty = post(secretary, election_id, f"candidates/{ids[0]}", {"qualified": "yes", "note": ""})
    assert empty.status_code == 400 and field_error(empty, "note")
    for candidate_id in ids:
        assert (
            post(
                secretary, election_id, f"candidates/{candidate_id}", {"qualified": "yes", "note": "正式党员"}
            ).status_code
            == 303
        )
    assert post(secretary, election_id, "advance", {"to": "publicity"}).status_code == 409  # unanswered
    for nominee in members[:3]:
        assert page(nominee.get(f"/elections/{election_id}")).select_one("#my-answer")
        assert post(nominee, election_id, "answer", {"accept": "yes"}).status_code == 303
    assert post(members[3], election_id, "answer", {"accept": "yes"}).status_code == 403  # not nominated
    assert post(secretary, election_id, "advance", {"to": "publicity"}).status_code == 303
    past(database, election_id, "publicity_ends_at")
    assert post(secretary, election_id, "step", {"step": "open", "action": "request"}).status_code == 303
    assert post(secretary, election_id, "step", {"step": "open", "action": "confirm"}).status_code == 403
    second = signed_in(app, "sec2")
    assert post(second, election_id, "step", {"step": "open", "action": "confirm"}).status_code == 303
    return election_id


def test_an_election_from_creation_to_published_result(
    app: Any, database: Database, secretary: TestClient, client: TestClient
) -> None:
    election_id = _to_voting(app, database, secretary)
    assert client.get(f"/elections/{election_id}/record.json").status_code == 409
    voter = signed_in(app, "m4")
    assert (
        submit(
            voter, f"/elections/{election_id}/checkin", f"/elections/{election_id}/checkin", {}
        ).status_code
        == 303
    )
    form = page(voter.get(f"/elections/{election_id}/ballot"))
    keys = [str(i["name"]).removeprefix("mark-") for i in form.select("input[type=radio][value=approve]")]
    assert len(keys) == 3
    too_many = {f"mark-{k}": "approve" for k in keys}
    response = submit(
        voter,
        f"/elections/{election_id}/ballot",
        f"/elections/{election_id}/ballot",
        {**too_many, "step": "review"},
    )
    assert response.status_code == 400 and page(response).select_one("#f-ballot-error")
    marks = {f"mark-{keys[0]}": "approve", f"mark-{keys[1]}": "disapprove", f"mark-{keys[2]}": "abstain"}
    reviewed = submit(
        voter,
        f"/elections/{election_id}/ballot",
        f"/elections/{election_id}/ballot",
        {**marks, "step": "review"},
    )
    assert reviewed.status_code == 200 and page(reviewed).select_one("button[value=cast]")
    cast = submit(
        voter,
        f"/elections/{election_id}/ballot",
        f"/elections/{election_id}/ballot",
        {**marks, "step": "cast"},
    )
    assert cast.status_code == 200
    code = page(cast).select_one("#receipt-code").get_text(strip=True)  # type: ignore[union-attr]
    assert voter.get(f"/elections/{election_id}/ballot").status_code == 409  # once only
    turnout = squash(page(client.get(f"/elections/{election_id}")).select_one("#turnout").get_text(" "))  # type: ignore[union-attr]
    assert "1" in turnout and str(code) not in turnout

    past(database, election_id, "voting_ends_at")
    assert client.get(f"/elections/{election_id}").status_code == 200  # closes it, being past its end
    record = client.get(f"/elections/{election_id}/record.json").json()
    assert record["counts"]["ballots"] == 1 and record["result"] is None
    found = page(client.get(f"/elections/{election_id}/receipt", params={"code": code.lower()}))
    assert found.select_one("#found")
    assert page(client.get(f"/elections/{election_id}/receipt", params={"code": "XXXX"})).select_one(
        "#not-found"
    )

    assert client.get(f"/elections/{election_id}/results").status_code == 409
    assert post(secretary, election_id, "advance", {"to": "tally"}).status_code == 303
    assert post(secretary, election_id, "step", {"step": "publish", "action": "request"}).status_code == 303
    second = signed_in(app, "sec2")
    assert post(second, election_id, "step", {"step": "publish", "action": "confirm"}).status_code == 303
    results = page(client.get(f"/elections/{election_id}/results"))
    assert results.select_one("svg rect") is not None
    assert results.select_one("#outcome").get_text(strip=True)  # type: ignore[union-attr]
    assert client.get(f"/elections/{election_id}/record.json").json()["result"]["outcome"] == "no_quorum"
    assert client.get("/elections/").status_code == 200


def test_the_ballot_waits_for_check_in_and_keeps_what_was_marked(
    app: Any, database: Database, secretary: TestClient, client: TestClient
) -> None:
    election_id = _to_voting(app, database, secretary)
    assert client.get(f"/elections/{election_id}/ballot").status_code == 303  # to the login
    voter = signed_in(app, "m5")
    response = voter.get(f"/elections/{election_id}/ballot")
    assert response.status_code == 303 and response.headers["location"].endswith("/checkin")
    submit(voter, f"/elections/{election_id}/checkin", f"/elections/{election_id}/checkin", {})
    form = page(voter.get(f"/elections/{election_id}/ballot"))
    keys = [str(i["name"]).removeprefix("mark-") for i in form.select("input[type=radio][value=approve]")]
    # Each candidate links to their profile; the page counts approvals as they are marked.
    assert len(form.select('legend a[href^="/disclosure/candidates/"]')) == 3
    assert form.select_one("form[data-ballot]") and form.select_one('script[src="/static/ballot.js"]')
    assert form.select_one("#approval-count")["data-seats"] == "2"  # type: ignore[index]
    assert client.get("/static/ballot.js").status_code == 200
    typed = {
        f"mark-{keys[0]}": "approve",
        f"mark-{keys[1]}": "abstain",
        f"mark-{keys[2]}": "abstain",
        f"write_in-{keys[1]}": "张三",
    }
    response = submit(
        voter,
        f"/elections/{election_id}/ballot",
        f"/elections/{election_id}/ballot",
        {**typed, "step": "review"},
    )
    assert response.status_code == 400 and field_error(response, keys[1])
    again = page(response)
    assert again.select_one(f"#m-{keys[0]}-approve").has_attr("checked")  # type: ignore[union-attr]
    assert again.select_one(f"#f-write_in-{keys[1]}")["value"] == "张三"  # type: ignore[index]


def test_a_member_is_found_by_name_and_nominated_with_a_reason_the_secretary_reads(
    app: Any, database: Database, secretary: TestClient
) -> None:
    election_id = create(secretary)
    post(secretary, election_id, "advance", {"to": "nomination"})
    member = signed_in(app, "m1")
    found = page(member.get(f"/elections/{election_id}/nominate", params={"q": "m"}))
    usernames = [str(i["value"]) for i in found.select("#found input[type=radio]")]
    assert {"m1", "m2", "m6"} <= set(usernames) and "sec1" not in usernames
    for strange in ("%", "_", "张三", "'"):
        none = page(member.get(f"/elections/{election_id}/nominate", params={"q": strange}))
        assert none.select_one("#found-none") and not none.select("#found input")
    path = f"/elections/{election_id}/nominate?q=m2"
    missing = submit(member, path, path, {"username": "m2", "reason": ""})
    assert missing.status_code == 400 and field_error(missing, "reason")
    kept = page(missing).select_one('#found input[value="m2"]')
    assert kept is not None and kept.has_attr("checked")
    assert (
        submit(member, path, path, {"username": "m2", "reason": "长期联系群众，办事公道。"}).status_code
        == 303
    )
    past(database, election_id, "nomination_ends_at")
    post(secretary, election_id, "advance", {"to": "review"})
    review = page(secretary.get(f"/elections/{election_id}"))
    assert "长期联系群众，办事公道。" in review.select_one("#candidates").get_text()  # type: ignore[union-attr]
    assert "m1" not in review.select_one("#candidates details").get_text()  # type: ignore[union-attr]
    public = page(TestClient(app).get(f"/elections/{election_id}"))
    assert "长期联系群众" not in public.get_text()
