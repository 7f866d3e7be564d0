"""Publishing, revising and withdrawing through the pages, as the public and the secretary see
it: every change a revision anyone can compare, every act in the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient

from disclosure.models import Revision
from grassroots.audit import AuditEntry
from grassroots.db import Database, utcnow
from tests.conftest import csrf_from, field_error, page, submit
from tests.disclosure.conftest import CANDIDATE, NOTICE, POST, Desk, publish, published_id, signed_in


def test_a_notice_is_published_listed_read_by_anyone_and_its_changes_compared(
    app: Any, client: TestClient, database: Database, desk: Desk
) -> None:
    secretary = signed_in(app, "secretary")
    notice_id = published_id(publish(secretary, "notices", NOTICE))
    shown = page(client.get(f"/disclosure/notices/{notice_id}"))
    assert "每月每位 150 元" in shown.select_one(".post-body").get_text()
    listed = page(client.get("/disclosure/?kind=notices&org=branch-a"))
    assert [a.get_text() for a in listed.select("ol.disclosures h2 a")] == [NOTICE["title"]]
    # An edit is a new revision with its reason; the page shows the new text at once.
    edit = f"/disclosure/edit/{notice_id}"
    missing = submit(secretary, edit, edit, {**NOTICE, "body": "每月每位 120 元。", "note": ""})
    assert missing.status_code == 400 and field_error(missing, "note")
    assert "每月每位 120 元" in missing.text  # what was typed is kept
    changed = submit(secretary, edit, edit, {**NOTICE, "body": "每月每位 120 元。", "note": "按居民意见下调"})
    assert changed.status_code == 303
    assert "120 元" in client.get(f"/disclosure/notices/{notice_id}").text
    history = page(client.get(f"/disclosure/notices/{notice_id}/history"))
    assert len(history.select("table.revisions tbody tr")) == 2
    assert "按居民意见下调" in history.get_text()
    removed = "".join(d.get_text() for d in history.select("pre.diff del"))
    added = "".join(i.get_text() for i in history.select("pre.diff ins"))
    assert "5" in removed and "2" in added and "**" in removed
    compared = client.get(f"/disclosure/notices/{notice_id}/history?a=1&b=2")
    assert compared.status_code == 200
    assert client.get(f"/disclosure/notices/{notice_id}/history?a=1&b=9").status_code == 404
    with database.reading() as db:
        actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("disclosure.%"))))
        assert actions == ["disclosure.item.publish", "disclosure.item.revise"]
        assert db.scalar(select(Revision.editor_role).where(Revision.number == 2)) == "secretary"


def test_anonymous_readers_get_a_cached_page_a_304_and_the_new_page_after_a_change(
    app: Any, client: TestClient, desk: Desk
) -> None:
    secretary = signed_in(app, "secretary")
    notice_id = published_id(publish(secretary, "notices", NOTICE))
    where = f"/disclosure/notices/{notice_id}"
    first = client.get(where)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(where, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(where, headers={"If-Modified-Since": modified}).status_code == 304
    assert secretary.get(where).headers["cache-control"].startswith("private")
    edit = f"/disclosure/edit/{notice_id}"
    submit(secretary, edit, edit, {**NOTICE, "title": "新的标题", "note": "改标题"})
    again = client.get(where, headers={"If-None-Match": etag})
    assert again.status_code == 200 and "新的标题" in again.text and again.headers["etag"] != etag


def test_bad_times_and_fields_come_back_with_what_was_typed(app: Any, desk: Desk) -> None:
    secretary = signed_in(app, "secretary")
    offered = page(secretary.get("/disclosure/")).select(
        "form[action='/disclosure/new'] select[name=org] option"
    )
    assert [o["value"] for o in offered] == ["branch-a"]  # only what this secretary runs
    assert not page(signed_in(app, "member").get("/disclosure/")).select("form[action='/disclosure/new']")
    past = publish(secretary, "notices", NOTICE, publish_at="2020-01-01T09:00")
    assert past.status_code == 400 and field_error(past, "publish_at")
    assert NOTICE["body"] in past.text
    bad_post = publish(secretary, "posts", {**POST, "seats": "0", "nomination_closes": "昨天"})
    assert bad_post.status_code == 400
    assert field_error(bad_post, "seats") and field_error(bad_post, "nomination_closes")
    assert publish(secretary, "posts", {**POST, "nomination_closes": "2026-11-01"}).status_code == 400
    assert signed_in(app, "member").get("/disclosure/new?kind=notices&org=branch-a").status_code == 403
    assert (
        TestClient(app, follow_redirects=False).get("/disclosure/new?kind=notices&org=branch-a").status_code
        == 303
    )
    assert secretary.get("/disclosure/new?kind=nothing&org=branch-a").status_code == 404
    assert secretary.get("/disclosure/new?kind=notices&org=nowhere").status_code == 404


def test_a_notice_for_later_is_hidden_from_the_public_until_then(
    app: Any, client: TestClient, desk: Desk, monkeypatch: Any
) -> None:
    secretary = signed_in(app, "secretary")
    later = published_id(publish(secretary, "notices", NOTICE, publish_at="2030-01-01T09:00"))
    assert client.get(f"/disclosure/notices/{later}").status_code == 404
    assert NOTICE["title"] not in client.get("/disclosure/").text  # and that page is cached now
    assert secretary.get(f"/disclosure/notices/{later}").status_code == 200  # the secretary's preview
    # The day comes: nothing changed through the site, but the cache knew when to look again.
    day_after = datetime(2030, 1, 2, tzinfo=UTC)
    for module in ("disclosure.cache", "disclosure.reading", "disclosure.pages"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: day_after)
    assert client.get(f"/disclosure/notices/{later}").status_code == 200
    assert NOTICE["title"] in client.get("/disclosure/").text


def test_a_withdrawn_disclosure_says_why_and_keeps_its_history(
    app: Any, client: TestClient, database: Database, desk: Desk
) -> None:
    secretary = signed_in(app, "secretary")
    notice_id = published_id(publish(secretary, "notices", NOTICE))
    where = f"/disclosure/withdraw/{notice_id}"
    empty = submit(secretary, where, where, {"reason": " "})
    assert empty.status_code == 400 and field_error(empty, "reason")
    assert submit(secretary, where, where, {"reason": "数字有误，将重新公布"}).status_code == 303
    shown = page(client.get(f"/disclosure/notices/{notice_id}"))
    notice = shown.select_one(".withdrawn").get_text()
    assert "数字有误，将重新公布" in notice and "书记" in notice
    assert NOTICE["title"] not in client.get("/disclosure/").text
    history = client.get(f"/disclosure/notices/{notice_id}/history")
    assert history.status_code == 200 and "数字有误" in history.text
    assert secretary.get(f"/disclosure/edit/{notice_id}").status_code == 409
    # A form opened before the withdrawal, sent after it: refused, not a 500.
    late = submit(
        secretary,
        f"/disclosure/notices/{notice_id}",
        f"/disclosure/edit/{notice_id}",
        {**NOTICE, "note": "补充"},
    )
    assert late.status_code == 409
    assert submit(secretary, where, where, {"reason": "again"}).status_code == 409
    with database.reading() as db:
        assert db.scalar(select(AuditEntry.id).where(AuditEntry.action == "disclosure.item.withdraw"))


def test_a_vacant_post_lists_its_candidates_and_unknown_pages_are_404(
    app: Any, client: TestClient, desk: Desk
) -> None:
    secretary = signed_in(app, "secretary")
    post_id = published_id(publish(secretary, "posts", POST))
    candidate = publish(secretary, "candidates", CANDIDATE, post_id=str(post_id))
    candidate_id = published_id(candidate)
    assert candidate.headers["location"].endswith("/media")
    post_page = page(client.get(f"/disclosure/posts/{post_id}"))
    assert [a.get_text() for a in post_page.select("ul.candidate-list a .candidate-name")] == [
        CANDIDATE["name"]
    ]
    profile = page(client.get(f"/disclosure/candidates/{candidate_id}"))
    assert [li.get_text() for li in profile.select("ol.timeline li")] == CANDIDATE["timeline"].split("\n")
    assert client.get(f"/disclosure/notices/{post_id}").status_code == 404  # the wrong kind
    assert client.get("/disclosure/posts/999999").status_code == 404
    assert client.get("/disclosure/posts/999999/history").status_code == 404
    assert client.get("/disclosure/posts/abc").status_code == 404
    assert publish(secretary, "candidates", CANDIDATE, post_id="999999").status_code == 400
    feed = client.get("/feeds/disclosures.atom?org=branch-a")
    assert feed.status_code == 200 and CANDIDATE["title"] in feed.text and POST["title"] in feed.text


def test_a_change_made_through_one_worker_is_seen_at_once_through_another(
    app: Any, settings: Any, database: Database, desk: Desk
) -> None:
    from grassroots.app import create_app

    engines = Database(settings)  # another worker: its own engines and its own page cache
    try:
        other_worker = TestClient(create_app(settings, engines))
        secretary = signed_in(app, "secretary")
        notice_id = published_id(publish(secretary, "notices", NOTICE))
        where = f"/disclosure/notices/{notice_id}"
        assert "150 元" in other_worker.get(where).text and "150 元" in other_worker.get(where).text
        edit = f"/disclosure/edit/{notice_id}"
        submit(secretary, edit, edit, {**NOTICE, "body": "每月每位 99 元。", "note": "再次下调"})
        assert "99 元" in other_worker.get(where).text
        assert NOTICE["title"] in other_worker.get("/disclosure/").text
    finally:
        engines.dispose()


def test_no_objection_is_taken_once_the_publicity_period_is_over(
    app: Any, desk: Desk, monkeypatch: Any
) -> None:
    secretary = signed_in(app, "secretary")
    notice_id = published_id(publish(secretary, "notices", NOTICE, publicity_days="3"))
    where = f"/disclosure/object/{notice_id}"
    anonymous = TestClient(app)
    form_token = csrf_from(anonymous.get(where))
    later = utcnow() + timedelta(days=4)
    for module in ("disclosure.cache", "disclosure.reading", "disclosure.pages", "disclosure.objections"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    late = anonymous.post(where, data={"body": "我反对这个决定", "contact": "", "csrf_token": form_token})
    assert late.status_code == 409 and "我反对这个决定" in late.text
    assert "公示期已于" in anonymous.get(f"/disclosure/notices/{notice_id}").text


def test_a_vacant_post_offers_the_nomination_form_once_an_election_fills_it(
    app: Any, client: TestClient, database: Database, desk: Desk
) -> None:
    from grassroots.accounts.models import User
    from voting import elections

    secretary = signed_in(app, "secretary")
    post_id = published_id(publish(secretary, "posts", POST))
    assert not page(client.get(f"/disclosure/posts/{post_id}")).select("a[href$='/nominate']")
    with database.writing() as db:
        election = elections.create_election(
            db, actor=db.get_one(User, desk.secretary.id), org=desk.world.branch_a,
            typed={"title": "补选", "seats": "1", "rule_set": "party", "nominations_each": "1",
                   "nomination_days": "3", "publicity_days": "5", "voting_minutes": "60",
                   "post_id": str(post_id)},
        )  # fmt: skip
        election_id = election.id
    link = page(client.get(f"/disclosure/posts/{post_id}")).select_one("a[href$='/nominate']")
    assert link is not None and link["href"] == f"/elections/{election_id}/nominate"
