"""Search: splitting Chinese into pieces, matching, ranking, highlighting and who sees what.

Boards, threads and posts are made here as rows, so these tests stand apart from the forum
services; the index is kept the way the services keep it, through search.sync_post.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from forum import highlight, search, words
from forum.models import Board, ContentState, Post, SearchEntry, Thread
from grassroots.db import Database, utcnow
from grassroots.markup import plain_text, render
from tests.conftest import World, make_user

SEP = words.SEPARATOR


# ---------------------------------------------------------------- splitting


@pytest.mark.parametrize(
    ("value", "tokens"),
    [
        ("停车位", ["停车", "车位"]),
        ("停", ["停"]),
        ("停车，位置", ["停车", SEP, "位置"]),
        ("社区 党建", ["社区", SEP, "党建"]),
        ("ＴＥＳＴ", ["test"]),
        ("5G网络", ["5g", "网络"]),
        ("5G 网络", ["5g", SEP, "网络"]),
        ("Hello, World", ["hello", "world"]),
        ("v1.2", ["v1", "2"]),
        ("1e5x h2o", ["1e5", "x", "h2o"]),
        (SEP.upper(), [SEP + "0"]),
        ("，。、 ", []),
    ],
)
def test_split_terms(value: str, tokens: list[str]) -> None:
    assert words.split_terms(value) == tokens


# ---------------------------------------------------------------- arranging


@dataclass
class Forum:
    """Boards of the world's branches and a writer; posts are added through `post`."""

    db: Session
    author_id: int
    boards: list[Board]

    def post(
        self,
        body: str,
        *,
        title: str = "一个主题",
        board: int = 0,
        thread: Thread | None = None,
        state: ContentState = ContentState.VISIBLE,
        minutes_ago: int = 0,
    ) -> Post:
        if thread is None:
            thread = Thread(board_id=self.boards[board].id, author_id=self.author_id, title=title)
            self.db.add(thread)
            self.db.flush()
        thread.post_count += 1
        post = Post(
            thread_id=thread.id,
            author_id=self.author_id,
            floor=thread.post_count,
            sort_key=f"{thread.post_count:06d}",
            state=state,
            body_source=body,
            body_html=render(body),
            created_at=utcnow() - timedelta(minutes=minutes_ago),
        )
        self.db.add(post)
        self.db.flush()
        search.sync_post(self.db, post)
        return post

    def find(self, query: str, *, boards: list[int] | None = None) -> list[int]:
        board_ids = [b.id for b in self.boards] if boards is None else [self.boards[i].id for i in boards]
        page = search.search(self.db, query, board_ids=board_ids, per_page=100)
        return [hit.post_id for hit in page.hits]


@pytest.fixture
def forum(database: Database, db: Session, world: World) -> Forum:
    author = make_user(database, "writer")
    boards = [
        Board(organization_id=org.id, slug=f"board-{org.slug}", name=org.name)
        for org in (world.branch_a, world.branch_b)
    ]
    db.add_all(boards)
    db.flush()
    return Forum(db, author.id, boards)


# ---------------------------------------------------------------- matching


def test_two_character_words_are_found_in_the_middle_of_a_sentence(forum: Forum) -> None:
    party = forum.post("我们支部的党建工作取得了新进展")
    community = forum.post("这个社区今年新修了停车位")
    forum.post("与此无关的一段话")
    assert forum.find("党建") == [party.id]
    assert forum.find("社区") == [community.id]
    assert forum.find("停车位") == [community.id]


def test_a_match_does_not_leak_across_punctuation(forum: Forum) -> None:
    forum.post("门口停车，位置不够")
    both = forum.post("停车，车位都要登记")
    assert forum.find("车位") == [both.id]
    assert forum.find("停车位") == []


def test_the_title_and_the_body_do_not_run_together(forum: Forum) -> None:
    post = forum.post("车位紧张", title="小区停")
    assert forum.find("停车") == []
    assert forum.find("小区") == [post.id]


def test_every_word_must_match(forum: Forum) -> None:
    both = forum.post("社区党建和志愿服务")
    forum.post("社区志愿服务")
    forum.post("党建学习")
    assert forum.find("社区 党建") == [both.id]
    assert forum.find("社区　党建") == [both.id]  # an ideographic space parts words too


def test_latin_words_match_whole_and_folded(forum: Forum) -> None:
    post = forum.post("Ｇｒａｓｓｒｏｏｔｓ 5G网络 h2o")
    forum.post("grass")
    assert forum.find("GRASSROOTS") == [post.id]
    assert forum.find("5g网络") == [post.id]
    assert forum.find("root") == []


def test_more_occurrences_rank_first_and_ties_go_newest_first(forum: Forum) -> None:
    once = forum.post("社区活动中心开放时间调整通知", minutes_ago=30)
    thrice = forum.post("社区社区社区活动中心时间通知", minutes_ago=20)
    older = forum.post("关于社区", minutes_ago=10)
    newer = forum.post("关于社区")
    ranked = forum.find("社区")
    assert ranked.index(thrice.id) < ranked.index(once.id)
    assert ranked.index(newer.id) == ranked.index(older.id) - 1


def test_snippets_mark_the_words_and_escape_the_rest(forum: Forum) -> None:
    forum.post("<script>alert(1)</script> 社区的党建" + "很长的话" * 100)
    page = search.search(forum.db, "社区 党建", board_ids=[forum.boards[0].id])
    snippet = str(page.hits[0].snippet)
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>社区</mark>的<mark>党建</mark>" in snippet
    assert snippet.endswith("…") and len(plain_text(snippet)) < 140
    assert page.words == ("社区", "党建")


def test_highlighting_ignores_width_and_case() -> None:
    marked = highlight.highlight("ＴＥＳＴ test Testing 社区", ["test", "社区"])
    assert str(marked) == "<mark>ＴＥＳＴ</mark> <mark>test</mark> Testing <mark>社区</mark>"


def test_a_snippet_is_cut_around_the_first_match() -> None:
    value = "前言" * 200 + "党建" + "后记" * 200
    snippet = str(highlight.snippet(value, ["党建"]))
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>党建</mark>" in snippet


# ---------------------------------------------------------------- who sees what


def test_only_the_boards_given_are_searched(forum: Forum) -> None:
    in_a = forum.post("社区通知", board=0)
    in_b = forum.post("社区通知", board=1)
    assert forum.find("社区", boards=[0]) == [in_a.id]
    assert forum.find("社区", boards=[1]) == [in_b.id]
    assert forum.find("社区", boards=[]) == []
    assert forum.find("社", boards=[1]) == [in_b.id]


def test_held_posts_are_not_indexed_until_approved(forum: Forum) -> None:
    held = forum.post("待审核的社区意见", state=ContentState.HELD)
    assert forum.db.get(SearchEntry, held.id) is None
    assert forum.find("社区") == [] and forum.find("审") == []
    held.state = ContentState.VISIBLE
    search.sync_post(forum.db, held)
    assert forum.find("社区") == [held.id]


def test_a_hidden_thread_leaves_the_index(forum: Forum) -> None:
    opening = forum.post("社区议事", title="议事厅")
    reply = forum.post("同意社区的意见", thread=opening.thread)
    assert set(forum.find("社区")) == {opening.id, reply.id}
    assert forum.find("议事厅") == [opening.id]  # the title belongs to the opening post
    opening.thread.state = ContentState.HIDDEN
    search.sync_thread(forum.db, opening.thread)
    assert forum.find("社区") == []


def test_a_moved_thread_is_found_in_its_new_board(forum: Forum) -> None:
    post = forum.post("社区搬迁", board=0)
    post.thread.board_id = forum.boards[1].id
    search.reindex_board_of_thread(forum.db, post.thread_id, forum.boards[1].id)
    assert forum.find("社区", boards=[0]) == []
    assert forum.find("社区", boards=[1]) == [post.id]


def test_an_unindexed_post_is_not_found(forum: Forum) -> None:
    post = forum.post("社区公告")
    search.unindex_post(forum.db, post.id)
    assert forum.find("社区") == []


@pytest.mark.parametrize("max_walk", [0, 8, 10_000])
def test_the_newest_matches_are_found_whatever_the_window(
    forum: Forum, monkeypatch: pytest.MonkeyPatch, max_walk: int
) -> None:
    # PostgreSQL looks from the newest post id back, a stretch at a time, walked or through the
    # index as the rate of matches says: with tiny stretches every step is taken on a few
    # dozen posts, by index only (0), by both (8) and by walking only (10,000).
    monkeypatch.setattr(search, "_FIRST_WALK", 2)
    monkeypatch.setattr(search, "_MAX_WALK", max_walk)
    posts = [forum.post("社区动态" if i % 3 == 0 else "其他社会消息") for i in range(40)]
    board_ids = [b.id for b in forum.boards]
    # One token; a word of several, looked up in the index by its rarest token alone.
    for word in ("社区", "社区动态", "会消"):
        matching = sorted((p.id for p in posts if word in p.body_source), reverse=True)
        for limit in (1, 3, 5, 13, 14, 100):
            found = search.matching_post_ids(forum.db, word, board_ids=board_ids, limit=limit)
            assert sorted(found, reverse=True) == matching[:limit], (word, limit)


def test_the_index_read_leaves_index_scans_as_they_were(forum: Forum) -> None:
    if forum.db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    forum.post("社区动态")
    setting = "SELECT current_setting('enable_indexscan')"
    query = search._parse("社区")
    for before in ("on", "off"):
        forum.db.execute(text(f"SET LOCAL enable_indexscan = {before}"))
        assert [i for i, _ in search._indexed(forum.db, query, [forum.boards[0].id], 10, 0, 10**9)]
        assert forum.db.scalar(text(setting)) == before


# ---------------------------------------------------------------- odd queries


def test_one_character_words_are_scanned(forum: Forum) -> None:
    party = forum.post("党员大会", minutes_ago=5)
    forum.post("居民大会")
    title_only = forum.post("议程", title="党课")
    assert forum.find("党") == [title_only.id, party.id]
    assert forum.find("党 大会") == [party.id]
    assert forum.find("%") == [] and forum.find("_") == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "，。",
        '"',
        '社区"',
        "*",
        "社区*",
        "AND",
        "社区 AND OR NOT 党建",
        "NEAR(社区 党建, 2)",
        "(社区",
        "^社区",
        "terms:社区",
        "{terms}: 社区",
        "'社区' & !党建 <-> :*",
        "社" * 10_000,
        "社区 " * 5_000,
        "".join(random.Random(1).choice('社区a1"*():^ ，') for _ in range(10_000)),
    ],
)
def test_odd_queries_do_not_fail(forum: Forum, query: str) -> None:
    forum.post("社区党建 and near terms")
    page = search.search(forum.db, query, board_ids=[b.id for b in forum.boards])
    assert len(page.words) <= search.MAX_WORDS
    if not query.strip(" ，。"):
        assert page.hits == () and page.total == 0


@pytest.mark.parametrize(
    "query", ['社区"', "社区*", "(社区", "^社区", "terms:社区", "NEAR(社区)", "社区 AND"]
)
def test_query_syntax_is_read_as_punctuation(forum: Forum, query: str) -> None:
    post = forum.post("社区议事 and near terms")
    assert forum.find(query) == [post.id]


# ---------------------------------------------------------------- the databases agree


TRICKY = "5G网络 h2o v1.2 1e5x 0x1f Ｃａｆé ΑΒΓ я  ひらがなカタカナ 한국어 々 𠀀𪜀 ① ² ﬁ ٣ " + SEP


def test_each_token_is_one_token_to_the_database(forum: Forum) -> None:
    post = forum.post(TRICKY)
    terms = forum.db.get(SearchEntry, post.id)
    assert terms is not None
    if forum.db.get_bind().dialect.name == "sqlite":
        forum.db.execute(
            text("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, forum_search_fts, 'instance')")
        )
        positions = forum.db.execute(text('SELECT "offset" FROM temp.v WHERE doc = :id'), {"id": post.id})
        assert sorted(p for (p,) in positions) == list(range(len(terms.terms.split())))
    else:
        lexemes = forum.db.scalars(
            text("SELECT token FROM ts_debug('simple', :t) WHERE alias <> 'blank'"), {"t": terms.terms}
        )
        assert list(lexemes) == terms.terms.split()


def test_postgresql_answers_from_the_expression_index(forum: Forum) -> None:
    if forum.db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    forum.post("社区")
    matches = search._tsvector_matches(search._tsquery(search._parse("社区 停车位")))
    statement = select(SearchEntry.post_id).where(matches)
    forum.db.execute(text("SET LOCAL enable_seqscan = off"))
    compiled = statement.compile(forum.db.get_bind(), compile_kwargs={"literal_binds": True})
    plan = "\n".join(forum.db.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_forum_search_terms_tsv" in plan, plan


# ---------------------------------------------------------------- against a plain scan


ALPHABET = "社区党建停车位居民服务工作会议通知安全卫生环境活动志愿文化健康"
PUNCTUATION = "，。、 "


def _random_text(rnd: random.Random, length: int) -> str:
    return "".join(
        rnd.choice(ALPHABET) if rnd.random() < 0.85 else rnd.choice(PUNCTUATION) for _ in range(length)
    )


def _random_query(rnd: random.Random, texts: list[str]) -> str:
    while True:
        source = rnd.choice(texts)
        size = rnd.randint(2, 4)
        start = rnd.randrange(max(1, len(source) - size))
        query = source[start : start + size]
        if len(query) == size and all(char in ALPHABET for char in query):
            return query


def test_search_finds_exactly_what_a_plain_scan_finds(forum: Forum) -> None:
    rnd = random.Random(20261123)
    db = forum.db
    threads = [
        Thread(board_id=forum.boards[0].id, author_id=forum.author_id, title=_random_text(rnd, 8))
        for _ in range(300)
    ]
    db.add_all(threads)
    db.flush()
    posts = [
        Post(
            thread_id=thread.id,
            author_id=forum.author_id,
            floor=floor,
            sort_key=f"{floor:06d}",
            body_source=(body := _random_text(rnd, rnd.randint(10, 60))),
            body_html=render(body),
        )
        for thread in threads
        for floor in range(1, 11)
    ]
    db.add_all(posts)
    db.flush()
    assert search.rebuild(db) == len(posts)
    titles = {thread.id: thread.title for thread in threads}
    # Indexed as title + separator + body: a query never matches across the two.
    indexed = {p.id: ((titles[p.thread_id] if p.floor == 1 else ""), plain_text(p.body_html)) for p in posts}
    bodies = [body for _, body in indexed.values()]
    queries = [_random_query(rnd, bodies) for _ in range(36)] + ["社", "党", "龘", "龘龘", "社区党建停车"]
    board = [forum.boards[0].id]
    for query in queries:
        expected = {i for i, parts in indexed.items() if any(query in part for part in parts)}
        found = search.matching_post_ids(db, query, board_ids=board, limit=len(posts) + 1)
        assert set(found) == expected, query
    ranked = search.search(db, queries[0], board_ids=board, per_page=search.MAX_CANDIDATES)
    assert {hit.post_id for hit in ranked.hits} == set(
        search.matching_post_ids(db, queries[0], board_ids=board, limit=9999)
    )
    assert re.search(
        f"<mark>{queries[0]}</mark>", str(ranked.hits[0].snippet) + str(ranked.hits[0].title_html)
    )
