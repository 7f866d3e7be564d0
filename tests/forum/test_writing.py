"""Edits and their history, deletion, agreement, mentions and notifications, feeds and people,
and every kind of bad input the issue names."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.models import ContentState, Post, PostRevision, Thread
from grassroots.mail import OutgoingMail
from grassroots.notifications import Notification
from tests.conftest import log_in, page, submit
from tests.forum.conftest import Forum, new_reply, new_thread

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt:alert(1))",
    "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript&colon;alert(1)">x</a>',
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    '"><script>alert(1)</script>',
    '<div style="background:url(javascript:alert(1))">',
    "![x](javascript:alert(1))",
    "<<SCRIPT>alert(1);//<</SCRIPT>",
]


def _no_active_content(html: str) -> None:
    soup = page(type("R", (), {"text": html})())
    assert soup.find(["script", "iframe", "svg", "math", "object", "embed", "style"]) is None
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), tag
            text = " ".join(value) if isinstance(value, list) else str(value)
            assert "javascript:" not in text.lower().replace(" ", ""), tag
            assert not text.lower().startswith("data:"), tag


def test_edits_keep_revisions_and_show_a_public_history(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member, body="周六上午九点在广场集合。")
    log_in(client, "member")
    with database.reading() as db:
        opening = db.scalar(select(Post).where(Post.thread_id == thread.id, Post.floor == 1))
    response = submit(
        client,
        f"/forum/p/{opening.id}/edit",
        f"/forum/p/{opening.id}/edit",
        {"title": "周六义务劳动", "body": "周六上午八点半在广场集合。"},
    )
    assert response.status_code == 303
    shown = page(client.get(f"/forum/t/{thread.id}"))
    assert shown.select_one("h1").get_text() == "周六义务劳动"
    assert shown.select_one("#floor-1 a.edited")["href"] == f"/forum/p/{opening.id}/history"
    client.cookies.clear()
    history = page(client.get(f"/forum/p/{opening.id}/history"))
    assert [d.get_text() for d in history.select(".diff del")] == ["九"]
    assert [i.get_text() for i in history.select(".diff ins")] == ["八", "半"]
    assert "小区停车位不够怎么办" in history.select_one(".revision del").get_text()
    with database.reading() as db:
        assert db.scalar(select(PostRevision.body_source)) == "周六上午九点在广场集合。"


def test_only_the_author_edits_or_deletes(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    reply_id = new_reply(database, thread, forum.resident, "我的意见")
    log_in(client, "member")
    assert client.get(f"/forum/p/{reply_id}/edit").status_code == 403
    response = submit(client, f"/forum/t/{thread.id}", f"/forum/p/{reply_id}/delete", {})
    assert response.status_code == 403


def test_author_deletes_and_the_tree_keeps_a_placeholder(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    first = new_reply(database, thread, forum.resident, "说错了的话")
    new_reply(database, thread, forum.member, "回复上一条", first)
    log_in(client, "resident")
    response = submit(client, f"/forum/p/{first}/delete", f"/forum/p/{first}/delete", {})
    assert response.status_code == 303
    shown = page(client.get(f"/forum/t/{thread.id}"))
    assert "说错了的话" not in shown.text
    assert shown.select_one("#floor-2 .placeholder") is not None
    assert shown.select_one("#floor-3 .post-body").get_text(strip=True) == "回复上一条"
    client.cookies.clear()
    log_in(client, "member")
    answer = submit(
        client,
        f"/forum/t/{thread.id}",
        f"/forum/t/{thread.id}/reply",
        {"body": "还想回复它", "parent_id": str(first)},
    )
    assert answer.status_code == 409
    assert page(answer).select_one("textarea[name=body]").get_text() == "还想回复它"


def test_one_agreement_per_person_and_sorting_by_agreement(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.secretary)
    quiet = new_reply(database, thread, forum.resident, "普通意见")
    loud = new_reply(database, thread, forum.moderator, "大家都赞同的意见")
    for name in ("member", "resident"):
        client.cookies.clear()
        log_in(client, name)
        for _ in range(2):
            submit(client, f"/forum/t/{thread.id}", f"/forum/p/{loud}/agree", {"agree": "1"})
    with database.reading() as db:
        assert db.get_one(Post, loud).agree_count == 2
        assert db.get_one(Post, quiet).agree_count == 0
    own = submit(client, f"/forum/t/{thread.id}", f"/forum/p/{quiet}/agree", {"agree": "1"})
    assert own.status_code == 409
    sorted_page = page(client.get(f"/forum/t/{thread.id}?sort=agree"))
    assert [li["id"] for li in sorted_page.select("li.post")] == ["floor-1", "floor-3", "floor-2"]
    button = sorted_page.select_one("#floor-3 button[aria-pressed]")
    assert button["aria-pressed"] == "true"  # the resident, logged in last, agreed
    submit(client, f"/forum/t/{thread.id}", f"/forum/p/{loud}/agree", {"agree": "0"})
    with database.reading() as db:
        assert db.get_one(Post, loud).agree_count == 1


def test_mentions_replies_and_watches_notify(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    log_in(client, "outsider")
    submit(client, f"/forum/t/{thread.id}", f"/forum/t/{thread.id}/watch", {"watch": "1"})
    client.cookies.clear()
    log_in(client, "resident")
    response = submit(
        client,
        f"/forum/t/{thread.id}",
        f"/forum/t/{thread.id}/reply",
        {"body": "请 @secretary 看看，@nobody 不存在"},
    )
    assert response.status_code == 303
    shown = page(client.get(f"/forum/t/{thread.id}"))
    assert shown.select_one('#floor-2 a.mention[href="/u/secretary"]') is not None
    assert "@nobody" in shown.select_one("#floor-2").get_text()
    with database.reading() as db:
        kinds = {(n.user_id, n.kind) for n in db.scalars(select(Notification))}
    assert kinds == {
        (forum.member.id, "forum.reply"),
        (forum.secretary.id, "forum.mention"),
        (forum.outsider.id, "forum.watched_thread"),
    }
    client.cookies.clear()
    log_in(client, "secretary")
    header = page(client.get("/forum/"))
    assert header.select_one(".badge").get_text() == "1"
    listing = page(client.get("/me/notifications"))
    assert "小区停车位不够怎么办" in listing.select_one(".notification-list").get_text()
    read = submit(client, "/me/notifications", "/me/notifications/read", {})
    assert read.status_code == 303
    assert page(client.get("/forum/")).select_one(".badge") is None


def test_notifications_are_mailed_when_mail_is_enabled(database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    from forum import posting
    from grassroots.accounts.models import User
    from grassroots.notifications import Notifier

    with database.writing() as db:
        db.get_one(User, forum.member.id).email = "member@example.org"
    thread = new_thread(database, forum.public, forum.member)
    with database.writing() as db:
        posting.reply(
            db,
            Notifier(site_url="https://example.org", mail_enabled=True),
            thread=db.get_one(Thread, thread.id),
            parent_id=None,
            author=db.get_one(User, forum.resident.id),
            body="回复你",
        )
    with database.reading() as db:
        mails = list(db.scalars(select(OutgoingMail)))
    assert [m.to_address for m in mails] == ["member@example.org"]
    assert "https://example.org/forum/p/" in mails[0].body


def test_feeds_and_a_persons_page_show_public_posts_only(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    new_thread(database, forum.public, forum.member, title="公开的话题")
    new_thread(database, forum.members, forum.member, title="支部内部话题")
    feed = client.get("/feeds/threads.atom?board=talk")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert "公开的话题" in feed.text
    org_feed = client.get("/feeds/threads.atom?org=committee").text
    assert "公开的话题" in org_feed and "支部内部话题" not in org_feed
    assert client.get("/feeds/threads.atom?board=branch-life").status_code == 404
    assert client.get("/feeds/threads.atom?org=nowhere").status_code == 404
    person = page(client.get("/u/member"))
    titles = person.select_one(".thread-list").get_text()
    assert "公开的话题" in titles and "支部内部话题" not in titles
    log_in(client, "secretary")
    assert "支部内部话题" in page(client.get("/u/member")).select_one(".thread-list").get_text()


# ---------------------------------------------------------------- bad input


def test_empty_and_oversized_posts_are_refused_with_the_text_kept(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    log_in(client, "resident")
    empty = submit(client, f"/forum/t/{thread.id}", f"/forum/t/{thread.id}/reply", {"body": "   "})
    assert empty.status_code == 400
    assert page(empty).select_one("#f-body-error") is not None
    huge = "很长" * 50_000
    big = submit(client, f"/forum/t/{thread.id}", f"/forum/t/{thread.id}/reply", {"body": huge})
    assert big.status_code == 400
    assert page(big).select_one("textarea[name=body]").get_text() == huge
    no_title = submit(client, "/forum/talk/new", "/forum/talk/new", {"title": "", "body": "正文"})
    assert no_title.status_code == 400
    assert page(no_title).select_one("textarea[name=body]").get_text() == "正文"


def test_replies_to_other_threads_and_locked_threads_are_refused(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    one = new_thread(database, forum.public, forum.member, title="一")
    other = new_thread(database, forum.public, forum.member, title="二")
    foreign = new_reply(database, other, forum.secretary, "别处的帖子")
    log_in(client, "resident")
    wrong = submit(
        client, f"/forum/t/{one.id}", f"/forum/t/{one.id}/reply", {"body": "串楼", "parent_id": str(foreign)}
    )
    assert wrong.status_code == 409
    assert page(wrong).select_one("textarea[name=body]").get_text() == "串楼"
    garbage = submit(
        client, f"/forum/t/{one.id}", f"/forum/t/{one.id}/reply", {"body": "x", "parent_id": "abc"}
    )
    assert garbage.status_code == 400
    with database.writing() as db:
        db.get_one(Thread, one.id).locked = True
    locked = submit(client, f"/forum/t/{other.id}", f"/forum/t/{one.id}/reply", {"body": "锁了还想说"})
    assert locked.status_code == 403
    assert page(locked).select_one("textarea[name=body]").get_text() == "锁了还想说"
    assert page(locked).select_one(".error-summary").get_text(strip=True)


@pytest.mark.parametrize("vector", XSS)
def test_xss_vectors_are_rendered_inert(client, database, forum: Forum, vector: str) -> None:  # type: ignore[no-untyped-def]
    from grassroots.accounts.models import User

    with database.writing() as db:
        db.get_one(User, forum.resident.id).display_name = vector[:40]
    log_in(client, "resident")
    response = submit(
        client,
        "/forum/talk/new",
        "/forum/talk/new",
        {"title": vector[:120], "body": vector, "action": "publish"},
    )
    assert response.status_code == 303
    for url in (
        response.headers["location"],
        "/forum/talk/",
        "/u/resident",
        "/feeds/threads.atom?board=talk",
    ):
        shown = client.get(url)
        assert shown.status_code == 200
        if url.startswith("/feeds"):
            assert "<script" not in shown.text.lower()
            continue
        body = page(shown).select_one("main")
        _no_active_content(str(body))
    preview = submit(
        client, "/forum/talk/new", "/forum/talk/new", {"title": "t", "body": vector, "action": "preview"}
    )
    _no_active_content(str(page(preview).select_one(".preview") or ""))


def test_a_held_post_is_shown_to_its_author_only(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    held = new_reply(database, thread, forum.resident, "待审核的话")
    with database.writing() as db:
        db.get_one(Post, held).state = ContentState.HELD
    assert "待审核的话" not in client.get(f"/forum/t/{thread.id}").text
    assert client.get(f"/forum/p/{held}").status_code == 404
    log_in(client, "resident")
    mine = page(client.get(f"/forum/t/{thread.id}"))
    assert "待审核的话" in mine.select_one("#floor-2").get_text()
    assert mine.select_one("#floor-2 .warn") is not None


def test_an_expired_form_hands_the_reply_back(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    log_in(client, "resident")
    response = client.post(
        f"/forum/t/{thread.id}/reply",
        data={"body": "写了很久的一段话", "parent_id": "", "csrf_token": "stale"},
    )
    assert response.status_code == 403
    kept = page(response).select_one("textarea[name=body]")
    assert kept.get_text() == "写了很久的一段话"
    assert page(response).select_one(f'label[for="{kept["id"]}"]').get_text() == "帖子内容"


def test_a_person_gives_the_address_notifications_are_mailed_to(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    from grassroots.accounts.models import User

    log_in(client, "member")
    bad = submit(client, "/me", "/me/profile", {"display_name": "新名字", "email": "not an address"})
    assert bad.status_code == 400
    assert page(bad).select_one("#f-email-error") is not None
    assert page(bad).select_one("#f-email")["value"] == "not an address"
    assert page(bad).select_one("#f-display_name")["value"] == "新名字"
    with database.reading() as db:
        assert db.get_one(User, forum.member.id).display_name != "新名字"
    good = submit(client, "/me", "/me/profile", {"display_name": "新名字", "email": "member@example.org"})
    assert good.status_code == 303
    with database.reading() as db:
        stored = db.get_one(User, forum.member.id)
        assert (stored.display_name, stored.email) == ("新名字", "member@example.org")
