"""Boards, threads, nested replies, floors and permalinks, driven through the pages."""

from __future__ import annotations

from sqlalchemy import select

from forum.models import Board, Post, Thread
from forum.reading import POSTS_PER_PAGE, SHOWN_DEPTH
from grassroots.audit import AuditAction, AuditEntry
from tests.conftest import QueryCounter, log_in, page, submit
from tests.forum.conftest import Forum, new_reply, new_thread


def test_secretary_creates_and_orders_boards_and_names_moderators(client, forum: Forum, db) -> None:  # type: ignore[no-untyped-def]
    log_in(client, "secretary")
    response = submit(
        client,
        "/forum/manage/branch-a/",
        "/forum/manage/branch-a/",
        {"name": "便民服务", "slug": "services", "description": "办事指南", "moderators": "moderator"},
    )
    assert response.status_code == 303
    listing = page(client.get("/forum/manage/branch-a/"))
    names = [a.get_text() for a in listing.select(".board-list > li > a:first-child")]
    assert names == ["社区议事", "支部生活", "便民服务"]
    submit(client, "/forum/manage/branch-a/", "/forum/manage/branch-a/services/move", {"direction": "up"})
    listing = page(client.get("/forum/manage/branch-a/"))
    assert [a.get_text() for a in listing.select(".board-list > li > a:first-child")][1] == "便民服务"
    index = page(client.get("/forum/"))
    assert index.select_one('a[href="/forum/services/"]') is not None
    assert "moderator" in " ".join(a["href"] for a in index.select('a[href^="/u/"]'))
    actions = set(db.scalars(select(AuditEntry.action)))
    assert {AuditAction.FORUM_BOARD_CREATE.value, AuditAction.FORUM_BOARD_UPDATE.value} <= actions


def test_board_moderators_must_moderate_the_organization(client, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    log_in(client, "secretary")
    response = submit(
        client,
        "/forum/manage/branch-a/",
        "/forum/manage/branch-a/",
        {"name": "新版块", "slug": "new-board", "moderators": "member"},
    )
    assert response.status_code == 400
    assert page(response).select_one("#f-moderators-error") is not None
    assert page(response).select_one("#f-name")["value"] == "新版块"


def test_members_and_residents_cannot_manage_boards(client, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    log_in(client, "moderator")
    assert client.get("/forum/manage/branch-a/").status_code == 403


def test_post_a_thread_and_nested_replies_with_floors_and_permalinks(client, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    log_in(client, "resident")
    response = submit(
        client,
        "/forum/talk/new",
        "/forum/talk/new",
        {"title": "电动车充电桩建议", "body": "建议在**三号楼**旁加装充电桩。", "action": "publish"},
    )
    assert response.status_code == 303
    thread_url = response.headers["location"]
    thread_page = page(client.get(thread_url))
    assert thread_page.select_one("h1").get_text() == "电动车充电桩建议"
    opening = thread_page.select_one("#floor-1")
    assert opening.select_one("strong").get_text() == "三号楼"
    thread_id = int(thread_url.rsplit("/", 1)[1])

    client.cookies.clear()
    log_in(client, "member")
    first = submit(client, thread_url, f"/forum/t/{thread_id}/reply", {"body": "同意，楼下车棚可以改造。"})
    assert first.status_code == 303
    first_id = int(first.headers["location"].rsplit("/", 1)[1])
    nested = submit(
        client,
        thread_url,
        f"/forum/t/{thread_id}/reply",
        {"body": "车棚归物业管，要先问物业。", "parent_id": str(first_id)},
    )
    permalink = client.get(nested.headers["location"])
    assert permalink.status_code == 303
    assert permalink.headers["location"] == f"/forum/t/{thread_id}#floor-3"
    shown = page(client.get(thread_url))
    floors = [li["id"] for li in shown.select("li.post")]
    assert floors == ["floor-1", "floor-2", "floor-3"]
    assert "d2" in shown.select_one("#floor-3")["class"]


def test_quoting_a_post_links_back_to_it(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    post_id = new_reply(database, thread, forum.secretary, "物业已经答应下周来看。")
    log_in(client, "resident")
    form = page(client.get(f"/forum/t/{thread.id}/reply?parent={post_id}&quote=1"))
    body = form.select_one("textarea[name=body]").get_text()
    assert f"(/forum/p/{post_id})" in body and "> 物业已经答应下周来看。" in body
    response = submit(
        client,
        f"/forum/t/{thread.id}/reply?parent={post_id}",
        f"/forum/t/{thread.id}/reply",
        {"body": body + "太好了", "parent_id": str(post_id)},
    )
    assert response.status_code == 303
    shown = page(client.get(f"/forum/t/{thread.id}"))
    assert shown.select_one(f'#floor-3 blockquote a[href="/forum/p/{post_id}"]') is not None


def test_preview_renders_without_saving(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    log_in(client, "resident")
    response = submit(
        client,
        f"/forum/t/{thread.id}",
        f"/forum/t/{thread.id}/reply",
        {"body": "*试一试*", "action": "preview"},
    )
    assert response.status_code == 200
    shown = page(response)
    assert shown.select_one(".preview em").get_text() == "试一试"
    assert shown.select_one("textarea[name=body]").get_text() == "*试一试*"
    assert len(page(client.get(f"/forum/t/{thread.id}")).select("li.post")) == 1


def test_deep_replies_continue_on_their_own_page(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    parent = None
    ids = []
    for depth in range(1, SHOWN_DEPTH + 4):
        parent = new_reply(
            database, thread, forum.resident if depth % 2 else forum.member, f"第{depth}层", parent
        )
        ids.append(parent)
    shown = page(client.get(f"/forum/t/{thread.id}"))
    assert len(shown.select("li.post")) == SHOWN_DEPTH + 1
    more = shown.select_one(".continue a")
    assert more["href"] == f"/forum/t/{thread.id}/b/{ids[SHOWN_DEPTH - 1]}"
    branch = page(client.get(more["href"]))
    assert [li.select_one(".post-body").get_text(strip=True) for li in branch.select("li.post")][
        -1
    ] == f"第{SHOWN_DEPTH + 3}层"
    deepest = client.get(f"/forum/p/{ids[-1]}")
    assert deepest.headers["location"].startswith(f"/forum/t/{thread.id}/b/{ids[SHOWN_DEPTH - 1]}")


def test_long_threads_page_with_a_constant_number_of_queries(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    with database.writing() as db:
        for floor in range(2, 2 * POSTS_PER_PAGE + 12):
            db.add(
                Post(
                    thread_id=thread.id,
                    parent_id=None,
                    author_id=forum.resident.id,
                    floor=floor,
                    depth=1,
                    sort_key="00001" + f"{floor:05d}",
                    body_source="意见",
                    body_html="<p>意见</p>",
                )
            )
        db.get_one(Thread, thread.id).post_count = 2 * POSTS_PER_PAGE + 11
    log_in(client, "member")
    client.get(f"/forum/t/{thread.id}")  # the first request of a process also loads its caches
    counts = []
    for number in (1, 2, 3):
        with QueryCounter(database) as counter:
            response = client.get(f"/forum/t/{thread.id}?page={number}")
        assert response.status_code == 200
        counts.append(counter.count)
    shown = page(client.get(f"/forum/t/{thread.id}?page=3"))
    assert len(shown.select("li.post")) == 11
    assert counts[0] == counts[1] == counts[2]
    small = new_thread(database, forum.public, forum.member, title="短帖")
    with QueryCounter(database) as counter:
        client.get(f"/forum/t/{small.id}")
    assert counter.count == counts[0]


def test_board_lists_pinned_first_then_latest_activity(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    old = new_thread(database, forum.public, forum.member, title="旧帖")
    pinned = new_thread(database, forum.public, forum.member, title="置顶公告")
    new_thread(database, forum.public, forum.member, title="新帖")
    new_reply(database, old, forum.resident, "顶一下")
    with database.writing() as db:
        db.get_one(Thread, pinned.id).pinned = True
    titles = [a.get_text() for a in page(client.get("/forum/talk/")).select(".thread-title")]
    assert titles == ["置顶公告", "旧帖", "新帖"]


def test_members_only_board_is_closed_to_residents_and_the_public(client, database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.members, forum.member, title="支部学习安排")
    assert client.get("/forum/branch-life/").status_code == 303
    log_in(client, "resident")
    assert client.get("/forum/branch-life/").status_code == 403
    assert client.get(f"/forum/t/{thread.id}").status_code == 403
    response = submit(client, "/forum/talk/", f"/forum/t/{thread.id}/reply", {"body": "我也想参加"})
    assert response.status_code == 403


def test_unknown_things_are_404(client, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    for url in ("/forum/nope/", "/forum/t/999999", "/forum/t/abc", "/forum/p/999999", "/u/nobody-here"):
        assert client.get(url).status_code == 404, url


def test_board_counts_are_kept(database, forum: Forum) -> None:  # type: ignore[no-untyped-def]
    thread = new_thread(database, forum.public, forum.member)
    new_reply(database, thread, forum.resident, "一")
    with database.reading() as db:
        board = db.get_one(Board, forum.public.id)
        assert (board.thread_count, board.post_count) == (1, 2)
        assert db.get_one(Thread, thread.id).reply_count == 1


def test_search_page_finds_chinese_words_and_respects_what_the_reader_may_read(
    client, database, forum: Forum
) -> None:  # type: ignore[no-untyped-def]
    new_thread(
        database, forum.public, forum.member, title="谈谈党建工作", body="我们社区的党建工作做得很扎实。"
    )
    new_thread(database, forum.members, forum.member, title="支部党建计划", body="内部讨论党建。")
    shown = page(client.get("/forum/search?q=党建"))
    titles = [a.get_text() for a in shown.select(".search-results .thread-title")]
    assert len(titles) == 1 and "谈谈党建工作" in titles[0]
    assert shown.select_one(".search-results mark").get_text() == "党建"
    log_in(client, "member")
    assert len(page(client.get("/forum/search?q=党建")).select(".search-results li")) == 2
    for odd in ('"', "AND (", "*", "x" * 5000, "社"):
        assert client.get("/forum/search", params={"q": odd}).status_code == 200
