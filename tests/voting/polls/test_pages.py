"""Polls through HTTP, as each person would use them: made on a thread by its author or a
moderator, or on its own page by the secretary; voted in from the thread's page; results after
voting or at the close, with the rounds of a ranked count; and every bad input answered with a
clear error, never a 500, and nothing stored."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select, update
from starlette.testclient import TestClient

from grassroots.audit import AuditAction, AuditEntry
from grassroots.db import Database, utcnow
from tests.conftest import field_error, log_in, page, squash, submit
from tests.voting.polls.conftest import FORM, Forum, closes_in, new_thread
from tests.voting.polls.test_golden import STV_VOTES
from voting.polls import thread_stamps
from voting.polls.models import Poll, PollBallot, PollParticipation, PollState


def signed_in(app: Any, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    log_in(client, username)
    return client


@pytest.fixture
def thread_id(database: Database, forum: Forum) -> int:
    return new_thread(database, forum.public, forum.resident).id


def create_on_thread(client: TestClient, thread_id: int, **typed: str):  # type: ignore[no-untyped-def]
    data = {**FORM, "closes_at": closes_in(), "thread": str(thread_id), **typed}
    return submit(client, f"/polls/new?thread={thread_id}", "/polls/new", data)


def the_poll(database: Database) -> Poll:
    with database.reading() as db:
        return db.scalars(select(Poll)).one()


def vote(client: TestClient, poll_id: int, data: dict[str, Any], page_path: str | None = None):  # type: ignore[no-untyped-def]
    return submit(client, page_path or f"/polls/{poll_id}", f"/polls/{poll_id}/vote", data)


def stored(database: Database) -> tuple[int, int]:
    with database.reading() as db:
        return len(db.scalars(select(PollBallot)).all()), len(db.scalars(select(PollParticipation)).all())


def end_now(database: Database, poll_id: int) -> None:
    """As if the poll's end had come: its end moved to a second ago. Time passing changes no
    row, so a thread's page would see it by itself; a moved end is a change only the token
    tells of (voting/polls/thread_stamps.py)."""
    with database.writing() as db:
        db.execute(update(Poll).where(Poll.id == poll_id).values(closes_at=utcnow() - timedelta(seconds=1)))
        thread_stamps.changed(db)


def test_the_author_makes_a_poll_that_the_thread_shows_and_members_vote_in(
    app: Any, database: Database, forum: Forum, thread_id: int
) -> None:
    author = signed_in(app, "resident")
    assert "/polls/new?thread=" in author.get(f"/forum/t/{thread_id}").text  # the link to add one
    response = create_on_thread(author, thread_id)
    assert response.status_code == 303 and response.headers["location"] == f"/forum/t/{thread_id}#poll"
    poll = the_poll(database)
    member = signed_in(app, "member")
    thread_page = page(member.get(f"/forum/t/{thread_id}"))
    assert "小区停车难" in squash(thread_page.select_one("#poll").get_text())  # type: ignore[union-attr]
    assert len(thread_page.select("#poll input[type=radio][name=choice]")) == 3
    assert not thread_page.select("#poll svg")  # no results before voting
    response = vote(member, poll.id, {"choice": "1"}, f"/forum/t/{thread_id}")
    assert response.status_code == 303 and response.headers["location"] == f"/forum/t/{thread_id}#poll"
    after = page(member.get(f"/forum/t/{thread_id}"))
    assert after.select_one("#poll svg") is not None
    counts = [squash(td.get_text()) for td in after.select(".poll-counts td:nth-of-type(2)")]
    assert counts == ["0", "1", "0"]
    with database.reading() as db:
        created = db.scalars(
            select(AuditEntry).where(AuditEntry.action == str(AuditAction.VOTING_POLL_CREATE))
        )
        assert json.loads(created.one().data)["thread_id"] == thread_id


def test_a_second_vote_is_refused_and_nothing_more_is_stored(
    app: Any, database: Database, forum: Forum, thread_id: int
) -> None:
    create_on_thread(signed_in(app, "resident"), thread_id)
    poll = the_poll(database)
    member = signed_in(app, "member")
    token_page = f"/polls/{poll.id}"
    assert vote(member, poll.id, {"choice": "0"}, token_page).status_code == 303
    again = member.post(
        f"/polls/{poll.id}/vote", data={"choice": "2", "csrf_token": _token(member, thread_id)}
    )
    assert again.status_code == 409
    assert stored(database) == (1, 1)


def _token(client: TestClient, thread_id: int) -> str:
    field = page(client.get(f"/forum/t/{thread_id}")).select_one('input[name="csrf_token"]')
    assert field is not None
    return str(field["value"])


def test_who_may_make_a_poll(app: Any, database: Database, forum: Forum, thread_id: int) -> None:
    other = signed_in(app, "member")  # not the author, no moderator
    assert other.get(f"/polls/new?thread={thread_id}").status_code == 403
    assert "/polls/new?thread=" not in other.get(f"/forum/t/{thread_id}").text
    assert create_on_thread(signed_in(app, "moderator"), thread_id).status_code == 303
    # On its own page, a poll speaks for the organization: its secretary makes it.
    assert other.get("/polls/new?org=branch-a").status_code == 403
    secretary = signed_in(app, "secretary")
    data = {**FORM, "closes_at": closes_in(), "org": "branch-a"}
    response = submit(secretary, "/polls/new?org=branch-a", "/polls/new", data)
    assert response.status_code == 303 and response.headers["location"].startswith("/polls/")
    assert TestClient(app).get(response.headers["location"]).status_code == 200  # the public reads it
    assert other.get("/polls/new?thread=99999").status_code == 404
    assert other.get("/polls/99999").status_code == 404
    assert other.get("/polls/abc").status_code == 404


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"question": "   "}, "question"),
        ({"question": "问" * 301}, "question"),
        ({"options": "只有一个选项"}, "options"),
        ({"options": "甲\n" + "乙" * 10_000}, "options"),
        ({"options": "甲\n甲"}, "options"),
        ({"kind": "lottery"}, "kind"),
        ({"kind": "multiple", "max_choices": "9"}, "max_choices"),
        ({"kind": "ranked", "method": "borda"}, "method"),
        ({"kind": "ranked", "method": "stv", "seats": "3"}, "seats"),
        ({"closes_at": "明天"}, "closes_at"),
        ({"closes_at": "2000-01-01T10:00"}, "closes_at"),
        ({"voters": "anyone"}, "voters"),
    ],
    ids=lambda value: value if isinstance(value, str) else ",".join(value),
)
def test_a_bad_poll_form_comes_back_with_what_was_typed(
    app: Any, database: Database, forum: Forum, thread_id: int, typed: dict[str, str], field: str
) -> None:
    response = create_on_thread(signed_in(app, "resident"), thread_id, **typed)
    assert response.status_code == 400
    assert field_error(response, field)
    assert page(response).select_one("#f-options").get_text() == typed.get("options", FORM["options"])  # type: ignore[union-attr]
    with database.reading() as db:
        assert db.scalars(select(Poll)).all() == []


def test_a_members_only_poll_refuses_residents_and_a_signed_in_one_takes_them(
    app: Any, database: Database, forum: Forum, thread_id: int
) -> None:
    create_on_thread(signed_in(app, "resident"), thread_id)
    poll = the_poll(database)
    outsider = signed_in(app, "outsider")
    assert page(outsider.get(f"/polls/{poll.id}")).select_one("#poll-members-only") is not None
    response = outsider.post(
        f"/polls/{poll.id}/vote", data={"choice": "0", "csrf_token": _token(outsider, thread_id)}
    )
    assert response.status_code == 403
    assert stored(database) == (0, 0)
    other_thread = new_thread(database, forum.public, forum.resident, title="第二个话题").id
    create_on_thread(signed_in(app, "resident"), other_thread, voters="signed_in")
    with database.reading() as db:
        second = db.scalars(select(Poll).where(Poll.thread_id == other_thread)).one()
    assert vote(outsider, second.id, {"choice": "0"}).status_code == 303


def test_multiple_choice_keeps_to_its_limit(
    app: Any, database: Database, forum: Forum, thread_id: int
) -> None:
    create_on_thread(signed_in(app, "resident"), thread_id, kind="multiple", max_choices="2")
    poll = the_poll(database)
    member = signed_in(app, "member")
    form = page(member.get(f"/polls/{poll.id}"))
    assert len(form.select("input[type=checkbox][name=choice]")) == 3
    assert "2" in squash(form.select_one("#poll legend").get_text())  # type: ignore[union-attr]
    token = _token(member, thread_id)
    too_many = member.post(f"/polls/{poll.id}/vote", data={"choice": ["0", "1", "2"], "csrf_token": token})
    assert too_many.status_code == 400 and field_error(too_many, "choice")
    kept = page(too_many).select("input[name=choice][checked]")
    assert [box["value"] for box in kept] == ["0", "1", "2"]  # what was ticked stays ticked
    unknown = member.post(f"/polls/{poll.id}/vote", data={"choice": ["0", "42"], "csrf_token": token})
    assert unknown.status_code == 400
    assert stored(database) == (0, 0)
    assert (
        member.post(f"/polls/{poll.id}/vote", data={"choice": ["0", "2"], "csrf_token": token}).status_code
        == 303
    )


def test_bad_rankings_come_back_with_the_ranks_typed(
    app: Any, database: Database, forum: Forum, thread_id: int
) -> None:
    create_on_thread(signed_in(app, "resident"), thread_id, kind="ranked", method="schulze")
    poll = the_poll(database)
    member = signed_in(app, "member")
    assert len(page(member.get(f"/polls/{poll.id}")).select("#poll select")) == 3
    token = _token(member, thread_id)
    for bad in ({"rank-0": "1", "rank-1": "1"}, {"rank-0": "1", "rank-7": "2"}, {"rank-0": "2"}, {}):
        response = member.post(f"/polls/{poll.id}/vote", data={**bad, "csrf_token": token})
        assert response.status_code == 400, bad
        assert field_error(response, "ranks")
    response = member.post(f"/polls/{poll.id}/vote", data={"rank-0": "1", "rank-1": "1", "csrf_token": token})
    assert page(response).select_one("#f-rank-1 option[selected]")["value"] == "1"  # type: ignore[index]
    assert stored(database) == (0, 0)


def test_a_vote_racing_the_close_is_refused_and_the_close_is_kept(
    app: Any, database: Database, forum: Forum, thread_id: int
) -> None:
    create_on_thread(signed_in(app, "resident"), thread_id)
    poll = the_poll(database)
    member = signed_in(app, "member")
    token = _token(member, thread_id)
    end_now(database, poll.id)
    response = member.post(f"/polls/{poll.id}/vote", data={"choice": "0", "csrf_token": token})
    assert response.status_code == 409
    assert page(response).select_one("#poll .error-summary") is not None  # says the vote came too late
    assert stored(database) == (0, 0)
    assert the_poll(database).state is PollState.CLOSED
    late = member.post(f"/polls/{poll.id}/vote", data={"choice": "0", "csrf_token": token})
    assert late.status_code == 409


def test_results_at_close_only_then_for_everyone_the_public_included(
    app: Any, database: Database, forum: Forum, thread_id: int
) -> None:
    create_on_thread(signed_in(app, "resident"), thread_id, shown="at_close")
    poll = the_poll(database)
    member = signed_in(app, "member")
    public = TestClient(app)
    assert page(public.get(f"/forum/t/{thread_id}")).select_one("#poll a[href^='/login']") is not None
    vote(member, poll.id, {"choice": "2"})
    assert not page(member.get(f"/forum/t/{thread_id}")).select("#poll svg")
    assert not page(public.get(f"/forum/t/{thread_id}")).select("#poll svg")
    end_now(database, poll.id)  # closes by itself: the next reader, here the public, closes it
    shown = page(public.get(f"/forum/t/{thread_id}"))
    assert shown.select_one("#poll svg") is not None
    assert [squash(td.get_text()) for td in shown.select(".poll-counts td:nth-of-type(2)")] == ["0", "0", "1"]
    with database.reading() as db:
        closed = db.scalars(select(AuditEntry).where(AuditEntry.action == str(AuditAction.VOTING_POLL_CLOSE)))
        assert closed.one().actor_id is None


def test_the_maker_closes_early(app: Any, database: Database, forum: Forum, thread_id: int) -> None:
    author = signed_in(app, "resident")
    create_on_thread(author, thread_id)
    poll = the_poll(database)
    member = signed_in(app, "member")
    forbidden = member.post(f"/polls/{poll.id}/close", data={"csrf_token": _token(member, thread_id)})
    assert forbidden.status_code == 403
    response = submit(author, f"/forum/t/{thread_id}", f"/polls/{poll.id}/close", {})
    assert response.status_code == 303
    assert the_poll(database).state is PollState.CLOSED
    again = author.post(f"/polls/{poll.id}/close", data={"csrf_token": _token(author, thread_id)})
    assert again.status_code == 409


def test_an_stv_poll_shows_its_rounds(app: Any, database: Database, forum: Forum) -> None:
    """Belenios' demo-stv ballots cast through the site, 50 voters, then counted at the close."""
    from tests.conftest import make_user
    from voting.polls import ballots, polls

    secretary = signed_in(app, "secretary")
    data = {**FORM, "org": "branch-a", "options": "甲\n乙\n丙\n丁\n戊", "kind": "ranked", "method": "stv",
            "seats": "2", "voters": "signed_in", "closes_at": closes_in()}  # fmt: skip
    assert submit(secretary, "/polls/new?org=branch-a", "/polls/new", data).status_code == 303
    poll = the_poll(database)
    voters = [make_user(database, f"v{n}") for n in range(len(STV_VOTES))]
    with database.writing() as db:
        locked = polls.get_poll(db, poll.id, for_update=True)
        for voter, ranks in zip(voters, STV_VOTES, strict=True):
            typed = {str(i): str(r) for i, r in enumerate(ranks)}
            ballots.cast_vote(db, poll=locked, voter=voter, eligible=True, ranks=typed)
    assert submit(secretary, f"/polls/{poll.id}", f"/polls/{poll.id}/close", {}).status_code == 303
    shown = page(TestClient(app).get(f"/polls/{poll.id}"))
    assert squash(shown.select_one("#poll-winners").get_text()).endswith("戊、丁")  # type: ignore[union-attr]
    events = [squash(li.get_text()) for li in shown.select(".poll-events li")]
    assert len(events) == 4 and "丙" in events[0] and "戊" in events[1]
    assert len(shown.select("#poll-rounds tbody tr")) == 5


def test_a_schulze_poll_shows_its_matrix_and_order(app: Any, database: Database, forum: Forum) -> None:
    from tests.conftest import make_user
    from tests.voting.polls.test_golden import SCHULZE_VOTES
    from voting.polls import ballots, polls

    secretary = signed_in(app, "secretary")
    data = {**FORM, "org": "branch-a", "options": "甲\n乙\n丙", "kind": "ranked", "method": "schulze",
            "voters": "signed_in", "closes_at": closes_in()}  # fmt: skip
    submit(secretary, "/polls/new?org=branch-a", "/polls/new", data)
    poll = the_poll(database)
    rankings = [ranks for ranks, voters in SCHULZE_VOTES for _ in range(voters)]
    voters = [make_user(database, f"s{n}") for n in range(len(rankings))]
    with database.writing() as db:
        locked = polls.get_poll(db, poll.id, for_update=True)
        for voter, ranks in zip(voters, rankings, strict=True):
            typed = {str(i): str(r) for i, r in enumerate(ranks)}
            ballots.cast_vote(db, poll=locked, voter=voter, eligible=True, ranks=typed)
        polls.close_poll(db, poll=locked, actor=None, early=True)
    shown = page(TestClient(app).get(f"/polls/{poll.id}"))
    order = [squash(li.get_text()) for li in shown.select(".poll-ranking li")]
    assert order == ["乙", "丙", "甲"]
    first_row = [squash(td.get_text()) for td in shown.select("#poll-d tbody tr:first-child td")]
    assert first_row == ["", "33", "25"]


def test_the_page_kept_for_the_public_shows_a_poll_added_later(
    app: Any, database: Database, forum: Forum, thread_id: int
) -> None:
    public = TestClient(app)
    assert page(public.get(f"/forum/t/{thread_id}")).select_one("#poll") is None  # now kept
    create_on_thread(signed_in(app, "resident"), thread_id)
    assert page(public.get(f"/forum/t/{thread_id}")).select_one("#poll") is not None


def test_a_kept_thread_page_does_not_ask_for_its_poll_on_every_view(
    app: Any, database: Database, forum: Forum, thread_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thread_stamps, "STAMP_SECONDS", 3600.0)
    public = TestClient(app)
    public.get(f"/forum/t/{thread_id}")  # drawn and kept
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731 (conn, cursor, statement, …)
    # SQLite reads through an engine of their own; PostgreSQL's read engine is the write
    # engine with options, and hears what the write engine hears.
    engines = [database.write_engine, database.read_engine] if database.is_sqlite else [database.write_engine]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", listen)
    try:
        for _ in range(5):
            assert public.get(f"/forum/t/{thread_id}").status_code == 200
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", listen)
    queries = [s for s in statements if s != "BEGIN"]  # SQLite's reads begin a transaction
    assert len(queries) == 5, queries  # one a view: the thread's own stamp
    assert not [s for s in statements if "voting_polls" in s or "cache_tokens" in s], statements


def test_a_poll_another_worker_adds_shows_on_this_workers_kept_page_once_it_looks(
    app: Any, database: Database, forum: Forum, thread_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = TestClient(app)
    assert page(public.get(f"/forum/t/{thread_id}")).select_one("#poll") is None  # kept, without
    before = dict(thread_stamps._kept)
    create_on_thread(signed_in(app, "resident"), thread_id)
    thread_stamps._kept.update(before)  # as a worker that did not make the change still holds it
    monkeypatch.setattr(thread_stamps, "STAMP_SECONDS", 3600.0)
    assert page(public.get(f"/forum/t/{thread_id}")).select_one("#poll") is None  # within the second
    monkeypatch.setattr(thread_stamps, "STAMP_SECONDS", 0.0)
    assert page(public.get(f"/forum/t/{thread_id}")).select_one("#poll") is not None  # the token


def test_a_poll_on_a_members_only_board_is_for_members_and_hidden_from_others(
    app: Any, database: Database, forum: Forum
) -> None:
    thread_id = new_thread(database, forum.members, forum.member, title="支部活动安排").id
    member = signed_in(app, "member")
    refused = create_on_thread(member, thread_id, voters="signed_in")
    assert refused.status_code == 400 and field_error(refused, "voters")
    assert create_on_thread(member, thread_id).status_code == 303
    poll = the_poll(database)
    assert signed_in(app, "outsider").get(f"/polls/{poll.id}").status_code == 404
    assert TestClient(app, follow_redirects=False).get(f"/polls/{poll.id}").status_code == 404
