"""A published result: its page says by which rules it was decided, it goes out as a personnel
notice in the disclosure area, and it is an entry of the results feed."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient

from disclosure.models import Disclosure, Kind
from grassroots.db import Database
from tests.conftest import page, squash
from tests.voting.conftest import Branch, Vote, draft, later, open_voting
from tests.voting.test_rounds import everyone, publish

NOW = later(days=10, minutes=1)


def published(database: Database, branch: Branch, vote: Vote) -> int:
    with database.writing() as db:
        election = draft(db, branch)
        open_voting(db, branch, election)
        for voter in everyone(branch):
            vote(db, election, voter, approve=["m1", "m2"], now=NOW)
        publish(db, branch, election)
        return election.id


def test_the_result_page_says_which_rules_decided_it(
    database: Database, branch: Branch, vote: Vote, client: TestClient
) -> None:
    election_id = published(database, branch, vote)
    rules = squash(page(client.get(f"/elections/{election_id}/results")).select_one("#rules").get_text(" "))  # type: ignore[union-attr]
    # 8 expected: more than four fifths is 7 present; 7 present: more than half is 4 approvals.
    assert "4/5" in rules and " 8 " in rules and " 7 " in rules and " 4" in rules


def test_the_result_is_published_as_a_personnel_notice(
    database: Database, branch: Branch, vote: Vote, client: TestClient
) -> None:
    election_id = published(database, branch, vote)
    with database.reading() as db:
        notice = db.scalars(select(Disclosure).where(Disclosure.kind == Kind.NOTICE)).one()
    shown = page(client.get(f"/disclosure/notices/{notice.id}"))
    text = squash(shown.get_text(" "))
    assert "m1" in text and "m2" in text
    assert shown.select_one(f'a[href="/elections/{election_id}/results"]')
    assert shown.select_one(f'a[href="/elections/{election_id}/record.json"]')


def test_the_results_feed_lists_published_results_narrowed_by_organization(
    app: Any, database: Database, branch: Branch, vote: Vote, client: TestClient
) -> None:
    election_id = published(database, branch, vote)
    with database.writing() as db:
        draft(db, branch, title="尚未结束的选举")  # not published: not in the feed

    def entries(query: str = "") -> list[str]:
        response = client.get(f"/feeds/results.atom{query}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/atom+xml")
        return re.findall(r"<entry><id>([^<]*)</id>", response.text)

    assert [link.rsplit("/elections/", 1)[1] for link in entries()] == [f"{election_id}/results"]
    assert len(entries("?org=branch-a")) == 1
    assert entries("?org=branch-b") == []
    assert client.get("/feeds/results.atom?org=nowhere").status_code == 404
