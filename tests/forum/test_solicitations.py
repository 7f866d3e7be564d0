"""Opinion solicitations: open until the deadline, then the organization's response."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.models import Thread
from grassroots.audit import AuditAction, AuditEntry
from grassroots.db import utcnow
from tests.conftest import log_in, page, submit
from tests.forum.conftest import Forum, new_reply


def _open(client, forum: Forum) -> int:  # type: ignore[no-untyped-def]
    log_in(client, "secretary")
    deadline = (utcnow() + timedelta(days=7)).astimezone().strftime("%Y-%m-%dT%H:%M")
    response = submit(
        client,
        "/forum/talk/new",
        "/forum/talk/new",
        {
            "kind": "solicitation",
            "title": "关于小区加装电梯的意见征求",
            "body": "请大家就加装电梯的方案提出意见。",
            "deadline": deadline,
        },
    )
    assert response.status_code == 303, page(response).text
    client.cookies.clear()
    return int(response.headers["location"].rsplit("/", 1)[1])


def _close(database, thread_id: int) -> None:  # type: ignore[no-untyped-def]
    with database.writing() as db:
        db.get_one(Thread, thread_id).deadline = utcnow() - timedelta(minutes=1)


def test_only_a_secretary_opens_a_solicitation(client, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    log_in(client, "member")
    form = page(client.get("/forum/talk/new"))
    assert form.select_one("input[name=kind]") is None
    response = submit(
        client,
        "/forum/talk/new",
        "/forum/talk/new",
        {"kind": "solicitation", "title": "t", "body": "b", "deadline": "2030-01-01T10:00"},
    )
    assert response.status_code == 403


def test_a_deadline_in_the_past_is_refused(client, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    log_in(client, "secretary")
    response = submit(
        client,
        "/forum/talk/new",
        "/forum/talk/new",
        {"kind": "solicitation", "title": "征求意见", "body": "问题", "deadline": "2001-01-01T10:00"},
    )
    assert response.status_code == 400
    assert page(response).select_one("#f-deadline-error") is not None
    assert page(response).select_one("textarea[name=body]").get_text() == "问题"


def test_after_the_deadline_no_opinion_is_accepted_and_the_text_is_kept(
    client, database, forum: Forum
) -> None:  # type: ignore[no-untyped-def]
    thread_id = _open(client, forum)
    log_in(client, "resident")
    early = submit(client, f"/forum/t/{thread_id}", f"/forum/t/{thread_id}/reply", {"body": "建议分单元表决"})
    assert early.status_code == 303
    _close(database, thread_id)
    late = submit(
        client, f"/forum/t/{thread_id}/reply", f"/forum/t/{thread_id}/reply", {"body": "晚到的意见"}
    )
    assert late.status_code == 409
    assert page(late).select_one("textarea[name=body]").get_text() == "晚到的意见"
    assert page(late).select_one(".error-summary").get_text(strip=True)


def test_the_response_stands_on_the_thread_and_the_front_page(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread_id = _open(client, forum)
    thread = type("T", (), {"id": thread_id})()
    adopted = new_reply(database, thread, forum.resident, "建议分单元表决")
    rejected = new_reply(database, thread, forum.member, "建议全部由政府出资")
    new_reply(database, thread, forum.resident, "补充一句", adopted)
    log_in(client, "secretary")
    early = submit(
        client, f"/forum/t/{thread_id}/respond", f"/forum/t/{thread_id}/respond", {"summary": "太早"}
    )
    assert early.status_code == 400
    _close(database, thread_id)
    missing = submit(
        client,
        f"/forum/t/{thread_id}/respond",
        f"/forum/t/{thread_id}/respond",
        {
            "summary": "感谢大家参与。",
            f"decision-{adopted}": "adopted",
            f"decision-{rejected}": "not_adopted",
        },
    )
    assert missing.status_code == 400
    assert page(missing).select_one(f"#f-reason-{rejected}-error") is not None
    assert page(missing).select_one("#f-summary").get_text() == "感谢大家参与。"
    done = submit(
        client,
        f"/forum/t/{thread_id}/respond",
        f"/forum/t/{thread_id}/respond",
        {
            "summary": "感谢大家参与。",
            f"decision-{adopted}": "adopted",
            f"decision-{rejected}": "not_adopted",
            f"reason-{rejected}": "按政策需业主分摊。",
        },
    )
    assert done.status_code == 303
    client.cookies.clear()
    shown = page(client.get(f"/forum/t/{thread_id}"))
    box = shown.select_one(".solicitation")
    assert "感谢大家参与。" in box.get_text()
    assert "2" in box.select_one(".muted").get_text()  # two participants, two opinions
    assert (
        shown.select_one("#floor-3 .decision-not_adopted").get_text(strip=True).endswith("按政策需业主分摊。")
    )
    front = page(client.get("/o/branch-a/"))
    assert "关于小区加装电梯的意见征求" in front.text and "感谢大家参与。" in front.text
    again = submit(client, "/login", "/login", {"username": "secretary", "password": "correct horse battery"})
    assert again.status_code == 303
    twice = submit(
        client,
        f"/forum/t/{thread_id}",
        f"/forum/t/{thread_id}/respond",
        {"summary": "再来一次", f"decision-{adopted}": "adopted", f"decision-{rejected}": "adopted"},
    )
    assert twice.status_code == 400
    with database.reading() as db:
        actions = list(db.scalars(select(AuditEntry.action)))
    assert actions.count(AuditAction.FORUM_SOLICITATION_OPEN.value) == 1
    assert actions.count(AuditAction.FORUM_SOLICITATION_RESPOND.value) == 1


def test_an_open_solicitation_is_listed_on_the_front_page(client, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    _open(client, forum)
    front = page(client.get("/o/branch-a/"))
    assert front.select_one(".tag.solicit") is not None
