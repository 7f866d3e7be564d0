"""Full-text search over forum posts, Chinese included, on SQLite and PostgreSQL alike.

The application splits text into tokens itself (forum/words.py: Chinese into overlapping
two-character pieces), since neither database's tokenizer splits Chinese and extensions are
not an option. The tokens, each with a space on both sides, are stored in forum_search.terms;
SQLite copies them into the FTS5 table forum_search_fts, PostgreSQL indexes
to_tsvector('simple', terms) with GIN.

The words of a query are what space and punctuation part, and every one must occur. A word
becomes the phrase of its tokens: for Chinese that is exactly a substring match, for letters and
digits a whole-word match. A word with a lone Chinese character (党) has no piece of its own to
look up, so it is matched by LIKE over the newest posts instead. Only the newest MAX_CANDIDATES
matches are ranked, which keeps a common word as cheap on a million posts as on a thousand.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from markupsafe import Markup
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    cast,
    column,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from grassroots.accounts.models import User
from grassroots.markup import plain_text

from .highlight import highlight, snippet
from .models import ContentState, Post, SearchEntry, Thread
from .words import ONE_CJK, SEPARATOR, normalize, split_terms, stored_terms, surfaces

MAX_QUERY_CHARS = 1000
MAX_WORDS = 8
MAX_WORD_CHARS = 40
MAX_CANDIDATES = 100
# The one-character scan reads the posts with the newest this many ids.
SCAN_POSTS = 20_000
# PostgreSQL looks for matches from the newest post back, a stretch of ids at a time: see
# _newest_matches. The first stretch is walked, and later ones while they are this short.
_FIRST_WALK = 2048
_MAX_WALK = 32_768

_LIKE_ESCAPE = "\\"
_SIMPLE = literal_column("'simple'::regconfig")
_FTS = table("forum_search_fts", column("rowid"), column("terms"))


# ---------------------------------------------------------------- indexing


def index_post(db: Session, *, post_id: int, board_id: int, title: str, text: str) -> None:
    """Store a visible post's words in the index, replacing what was there. Pass the thread's
    title for its opening post and "" for replies, so a title finds its thread once."""
    terms = _terms(title, text)
    entry = db.get(SearchEntry, post_id)
    if entry is None:
        db.add(SearchEntry(post_id=post_id, board_id=board_id, terms=terms))
    else:
        entry.board_id, entry.terms = board_id, terms
    if _is_sqlite(db):
        db.execute(delete(_FTS).where(_FTS.c.rowid == post_id))
        db.execute(insert(_FTS).values(rowid=post_id, terms=terms))


def unindex_post(db: Session, post_id: int) -> None:
    """Take a post out of the index (held, hidden, rejected or deleted)."""
    entry = db.get(SearchEntry, post_id)
    if entry is not None:
        db.delete(entry)
    if _is_sqlite(db):
        db.execute(delete(_FTS).where(_FTS.c.rowid == post_id))


def sync_post(db: Session, post: Post) -> None:
    """Index `post` if it and its thread are visible, else take it out: one call after any
    change to a post (written, approved, edited, hidden, deleted) or its thread's title."""
    thread = post.thread
    if post.state is ContentState.VISIBLE and thread.state is ContentState.VISIBLE:
        title = thread.title if post.floor == 1 else ""
        index_post(
            db, post_id=post.id, board_id=thread.board_id, title=title, text=plain_text(post.body_html)
        )
    else:
        unindex_post(db, post.id)


def sync_thread(db: Session, thread: Thread) -> None:
    """sync_post for every post of `thread`, after the thread was hidden, restored or retitled."""
    for post in db.scalars(select(Post).where(Post.thread_id == thread.id)):
        sync_post(db, post)


def reindex_board_of_thread(db: Session, thread_id: int, board_id: int) -> None:
    """After a thread moved boards: its entries follow it (the words themselves are unchanged)."""
    posts = select(Post.id).where(Post.thread_id == thread_id).scalar_subquery()
    db.execute(update(SearchEntry).where(SearchEntry.post_id.in_(posts)).values(board_id=board_id))


def rebuild(db: Session, *, batch: int = 1000) -> int:
    """Empty the index and index every visible post of a visible thread again; returns how many.
    For data loaded without the services, and for a change to how text is split."""
    db.execute(delete(SearchEntry))
    if _is_sqlite(db):
        db.execute(delete(_FTS))
    count, after = 0, 0
    while entries := [_entry(row) for row in db.execute(_visible_posts_after(after, batch))]:
        db.execute(insert(SearchEntry), entries)
        if _is_sqlite(db):
            db.execute(insert(_FTS), [{"rowid": e["post_id"], "terms": e["terms"]} for e in entries])
        count, after = count + len(entries), entries[-1]["post_id"]
    return count


def _visible_posts_after(after: int, limit: int) -> Select[Any]:
    return (
        select(Post.id, Post.floor, Post.body_html, Thread.board_id, Thread.title)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.id > after, *_visible())
        .order_by(Post.id)
        .limit(limit)
    )


def _entry(row: Any) -> dict[str, Any]:
    terms = _terms(row.title if row.floor == 1 else "", plain_text(row.body_html))
    return {"post_id": row.id, "board_id": row.board_id, "terms": terms}


def _terms(title: str, text: str) -> str:
    return stored_terms([*split_terms(title), SEPARATOR, *split_terms(text)])


def _is_sqlite(db: Session) -> bool:
    return db.get_bind().dialect.name == "sqlite"


# ---------------------------------------------------------------- querying


@dataclass(frozen=True)
class SearchHit:
    post_id: int
    thread_id: int
    thread_title: str
    title_html: Markup  # the title with the words searched marked
    floor: int
    board_id: int
    author_name: str
    created_at: datetime
    snippet: Markup  # about SNIPPET_CHARS of the post around the first match, marked


@dataclass(frozen=True)
class SearchPage:
    words: tuple[str, ...]  # the words searched, normalized; empty when nothing was
    hits: tuple[SearchHit, ...]
    page: int
    per_page: int
    total: int  # matches counted, MAX_CANDIDATES at most
    total_capped: bool  # more matched than were counted: only the newest are ranked


@dataclass(frozen=True)
class _Query:
    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]  # matched through the index
    scans: tuple[str, ...]  # words with a lone Chinese character, matched by LIKE


def search(
    db: Session, query: str, *, board_ids: Sequence[int], page: int = 1, per_page: int = 20
) -> SearchPage:
    """Posts matching every word of `query`, best first, from the boards in `board_ids` only
    (the caller passes what the searcher may read: forum.access.readable_board_ids).
    Never raises on odd input: a query without usable words finds nothing."""
    parsed = _parse(query)
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_CANDIDATES)
    candidates = _candidates(db, parsed, board_ids, MAX_CANDIDATES + 1)
    ranked = _ranked(candidates[:MAX_CANDIDATES])
    chosen = [c.post_id for c in ranked[(page - 1) * per_page : page * per_page]]
    return SearchPage(
        words=parsed.words,
        hits=tuple(_hits(db, chosen, parsed.words)),
        page=page,
        per_page=per_page,
        total=len(ranked),
        total_capped=len(candidates) > MAX_CANDIDATES,
    )


def matching_post_ids(db: Session, query: str, *, board_ids: Sequence[int], limit: int) -> list[int]:
    """Ids of the newest `limit` posts matching `query`, unranked: for checks and tools."""
    return [c.post_id for c in _candidates(db, _parse(query), board_ids, limit)]


def _parse(query: str) -> _Query:
    # Words are what space and punctuation part: 停车，车位 asks for 停车 and for 车位.
    words = dict.fromkeys(w[:MAX_WORD_CHARS] for w in surfaces(normalize(query[:MAX_QUERY_CHARS])))
    phrases, scans = [], []
    for word in list(words)[:MAX_WORDS]:
        tokens = split_terms(word)
        if any(ONE_CJK.fullmatch(t) for t in tokens):
            scans.append(word)
        else:
            phrases.append(tuple(tokens))
    return _Query(tuple(words)[:MAX_WORDS], tuple(phrases), tuple(scans))


def _ranked(candidates: Sequence[Any]) -> list[Any]:
    # Ids grow with time, so the higher id is the newer post when scores tie.
    return sorted(candidates, key=lambda c: (c.score or 0, c.post_id), reverse=True)


def _candidates(db: Session, q: _Query, board_ids: Sequence[int], limit: int) -> Sequence[Any]:
    """Rows of (post_id, score, created_at): the newest `limit` matches, scored."""
    if not board_ids or not q.words:
        return []
    # The PostgreSQL reads go to the connection, past the session, which would flush first.
    db.flush()
    if not q.phrases:
        return db.execute(_scan_candidates(q, board_ids, limit)).all()
    if _is_sqlite(db):
        return db.execute(_fts5_candidates(q, board_ids, limit)).all()
    return _tsvector_rows(db, q, board_ids, limit)


def _visible() -> tuple[ColumnElement[bool], ...]:
    # The index holds visible posts only; asking again costs little and survives a missed sync.
    return (Post.state == ContentState.VISIBLE, Thread.state == ContentState.VISIBLE)


def _scanned(q: _Query, title: ColumnElement[str] = Thread.title) -> list[ColumnElement[bool]]:
    return [_contains(word, title) for word in q.scans]


def _contains(word: str, title: ColumnElement[str]) -> ColumnElement[bool]:
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"
    # ILIKE folds case character by character, at three times the cost: only when needed.
    uncased = word.upper() == word

    def like(value: ColumnElement[str]) -> ColumnElement[bool]:
        return (
            value.like(pattern, escape=_LIKE_ESCAPE) if uncased else value.ilike(pattern, escape=_LIKE_ESCAPE)
        )

    return or_(like(Post.body_source), and_(Post.floor == 1, like(title)))


def _fts5_candidates(q: _Query, board_ids: Sequence[int], limit: int) -> Select[Any]:
    # Only our own tokens reach MATCH, each phrase quoted: query syntax in the input is inert.
    match = " AND ".join('"' + " ".join(p).replace('"', '""') + '"' for p in q.phrases)
    fts = literal_column("forum_search_fts")
    return (
        select(_FTS.c.rowid.label("post_id"), (-func.bm25(fts)).label("score"), Post.created_at)
        .join(SearchEntry, SearchEntry.post_id == _FTS.c.rowid)
        .join(Post, Post.id == SearchEntry.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .where(fts.op("MATCH")(match), SearchEntry.board_id.in_(board_ids), *_visible(), *_scanned(q))
        .order_by(_FTS.c.rowid.desc())
        .limit(limit)
    )


class _Candidate(NamedTuple):
    post_id: int
    score: int
    created_at: datetime | None


def _tsvector_rows(db: Session, q: _Query, board_ids: Sequence[int], limit: int) -> Sequence[Any]:
    # A one-character word narrows these newest matches of the others; SQLite's FTS5 query
    # applies it before its LIMIT instead, which PostgreSQL could only do by reading every post.
    matches = _newest_matches(db, q, board_ids, limit)
    if not matches:
        return []
    if not q.scans:
        # The index holds visible posts only; the page's hits are checked again as they are read.
        return [_Candidate(post_id, score, None) for post_id, score in matches]
    # One array parameter, not an IN list of a thousand: compiling and sending those cost
    # more than the query. Spelled out as text, which is ~50 times quicker than psycopg's
    # dumping of a list.
    spelled = "{" + ",".join(str(post_id) for post_id, _ in matches) + "}"
    listed = cast(bindparam("post_ids", spelled, type_=String), ARRAY(Integer))
    # OFFSET 0 keeps each post's thread a lookup of its own: joined plainly, PostgreSQL would
    # hash all 20,000 threads to look up a thousand (8 ms against 1).
    thread = select(Thread.title, Thread.state).where(Thread.id == Post.thread_id).offset(0).lateral("thread")
    created: dict[int, datetime] = dict(
        db.connection()
        .execute(
            select(Post.id, Post.created_at)
            .join(thread, true())
            .where(
                Post.id == any_(listed),
                Post.state == ContentState.VISIBLE,
                thread.c.state == ContentState.VISIBLE,
                *_scanned(q, thread.c.title),
            )
        )
        .all()
    )
    return [_Candidate(post_id, score, created[post_id]) for post_id, score in matches if post_id in created]


def _occurrences(phrases: int, terms: ColumnElement[str]) -> ColumnElement[int]:
    """How often the words occur in a post's terms: the rank, counted by PostgreSQL so that
    only ids and counts cross to Python, not the terms of every candidate. ts_rank would run
    to_tsvector on every post ranked (the index keeps no tsvector), ~80 us each; replacing
    substrings costs a few microseconds. A phrase repeated with nothing between (好好 好好)
    shares a space and counts once: a rank, not a census, at half the cost of doubling the
    spaces to count it right."""
    counts = [
        (func.length(terms) - func.length(func.replace(terms, _phrase(index), " ")))
        / bindparam(f"phrase_{index}_width", type_=Integer)
        for index in range(phrases)
    ]
    total = counts[0]
    for count in counts[1:]:
        total = total + count
    return total.label("score")


def _phrase(index: int) -> ColumnElement[str]:
    return bindparam(f"phrase_{index}", type_=String)


def _newest_matches(db: Session, q: _Query, board_ids: Sequence[int], limit: int) -> list[tuple[int, int]]:
    """The newest `limit` matches, looked for from the newest post back, a stretch of ids at a
    time, each stretch older than the last, so nothing is read twice.

    Two ways to read a stretch, and the rate of matches found so far chooses. A walk reads the
    stretch's rows newest first and tests each for the phrases by substring, ~1 us a row, and
    stops at `limit`: cheapest for a common word (停车 in 10 % of posts: 10,000 rows, 8 ms).
    The GIN index costs in proportion to every match of the word in all posts, ~0.1 us each,
    but then reads only the stretch's matches: cheapest for a rarer word, which a walk would
    have to read far for. Ordering every GIN match by age instead would read each one's row,
    50,000 rows for a word in 5 % of a million posts: the stretch keeps that to its share.
    A stretch is sized by the rate so far to hold what is still wanted, with a margin."""
    newest, found = _first_walk(db, q, board_ids, limit)
    before = newest - _FIRST_WALK
    while len(found) < limit and before > 0:
        seen = newest - before
        span = (limit - len(found)) * seen * 5 // (4 * len(found)) + 1 if found else 15 * seen
        walk = span <= _MAX_WALK
        if walk:
            span *= 2  # a walk stops at its LIMIT: a longer stretch costs nothing unread
        after = max(before - span, 0)
        read = _walked if walk else _indexed
        found += read(db, q, board_ids, limit - len(found), after, before)
        before = after
    return found[:limit]


def _first_walk(
    db: Session, q: _Query, board_ids: Sequence[int], limit: int
) -> tuple[int, list[tuple[int, int]]]:
    """The newest id, and the matches among the _FIRST_WALK newest ids: one round trip, where
    asking for the newest id first took another (a common word needs no more than this)."""
    params = {**_phrase_params(q), "boards": list(board_ids), "limit": limit, "span": _FIRST_WALK}
    rows = db.connection().execute(_walk_statement(len(q.phrases), first=True), params).all()
    return rows[0][0], [(post_id, score) for _, post_id, score in rows if post_id is not None]


def _walked(
    db: Session, q: _Query, board_ids: Sequence[int], limit: int, after: int, before: int
) -> list[tuple[int, int]]:
    params = {**_phrase_params(q), "boards": list(board_ids), "limit": limit}
    statement = _walk_statement(len(q.phrases), first=False)
    rows = db.connection().execute(statement, {**params, "after": after, "before": before})
    return [(post_id, score) for post_id, score in rows]


@functools.cache
def _walk_statement(phrases: int, *, first: bool) -> Select[Any]:
    """Backwards along the primary key, newest first, stopping at the LIMIT; no to_tsvector,
    which would cost ~40 us a row where the substring test costs ~1. Built once for each
    number of phrases, every value a parameter: building the statement anew for each search
    cost as much as PostgreSQL's running it."""
    if first:
        newest = select(func.coalesce(func.max(SearchEntry.post_id), 0).label("id")).subquery("newest")
        walk = _walk(phrases, [SearchEntry.post_id > newest.c.id - bindparam("span", type_=Integer)])
        walked = walk.lateral("walked")
        return select(newest.c.id, walked.c.post_id, walked.c.score).outerjoin(walked, true())
    return _walk(phrases, _stretch(bindparam("after", type_=Integer), bindparam("before", type_=Integer)))


def _walk(phrases: int, stretch: Sequence[ColumnElement[bool]]) -> Select[Any]:
    return (
        select(SearchEntry.post_id, _occurrences(phrases, SearchEntry.terms))
        .where(*stretch, SearchEntry.board_id.in_(bindparam("boards", expanding=True)), *_phrases(phrases))
        .order_by(SearchEntry.post_id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


def _phrase_params(q: _Query) -> dict[str, Any]:
    """The phrases as _phrases and _occurrences take them: each padded, and its width."""
    params: dict[str, Any] = {}
    for index, phrase in enumerate(q.phrases):
        pattern = " " + " ".join(phrase) + " "
        params[f"phrase_{index}"], params[f"phrase_{index}_width"] = pattern, len(pattern) - 1
    return params


def _indexed(
    db: Session, q: _Query, board_ids: Sequence[int], limit: int, after: int, before: int
) -> list[tuple[int, int]]:
    # PostgreSQL should AND the GIN index's bitmap with the primary key's for the stretch and
    # read only the rows in both (停车 on a million posts: 10 ms). Left to itself it may walk
    # the primary key instead and run to_tsvector on every row of the stretch, whose cost it
    # takes for a hundredth of the ~40 us it is: 500 ms for 16,000 rows. Plain index scans
    # are off for this one query, which leaves it the bitmaps. MATERIALIZED keeps the LIMIT
    # out, which would invite the same walk. For several tokens it guesses their matches
    # together as if independent, far too few, and may skip the primary key's bitmap and
    # read every match instead: one reason walks go as far as _MAX_WALK.
    matches = (
        select(SearchEntry.post_id, SearchEntry.terms)
        .where(
            _tsvector_matches(_tsquery(q, _rarest(db, q))),
            *_phrases(len(q.phrases)),
            SearchEntry.board_id.in_(board_ids),
            *_stretch(after, before),
        )
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    statement = (
        select(matches.c.post_id, _occurrences(len(q.phrases), matches.c.terms))
        .order_by(matches.c.post_id.desc())
        .limit(limit)
    )
    previous = db.scalar(_INDEX_SCANS_OFF)
    rows = [(post_id, score) for post_id, score in db.execute(statement, _phrase_params(q)).all()]
    # Should the query fail, rolling the transaction back restores the setting instead.
    db.execute(select(func.set_config("enable_indexscan", previous, True)))
    return rows


# Reads the setting, then turns it off for the transaction: set_config's argument depends on
# the value read, so it runs after it, and OFFSET 0 keeps the subquery a step of its own.
_INDEX_SCANS_OFF = text(
    "SELECT previous FROM (SELECT current_setting('enable_indexscan') AS previous OFFSET 0) AS s"
    " WHERE set_config('enable_indexscan', 'off' || left(previous, 0), true) IS NOT NULL"
)


def _stretch(after: int | ColumnElement[int], before: int | ColumnElement[int]) -> list[ColumnElement[bool]]:
    return [SearchEntry.post_id > after, SearchEntry.post_id <= before]


def _tsquery(q: _Query, only: str | None = None) -> ColumnElement[Any]:
    # Every token, ANDed: GIN answers that exactly, where a phrase (<->) would make PostgreSQL
    # recheck each candidate by running to_tsvector on it. plainto_tsquery reads plain text,
    # so nothing in a query is tsquery syntax. `only` narrows it to that one token.
    tokens = [only] if only else dict.fromkeys(token for phrase in q.phrases for token in phrase)
    return func.plainto_tsquery(_SIMPLE, " ".join(tokens))


def _rarest(db: Session, q: _Query) -> str | None:
    """For one word of several tokens, the token PostgreSQL's statistics count rarest. Asked
    for all of them, it guesses their matches together as if the tokens were independent, a
    few dozen where the pieces of one word come together thousands of times (加装 装电 电梯:
    24 guessed, 23,105 found), and reads every one of them instead of ANDing the primary
    key's bitmap (25 ms against 10 for 加装电梯). Asked for one, it guesses right; the phrase
    test keeps the answer exact. Several words are left whole: their tokens seldom meet."""
    if len(q.phrases) != 1 or len(q.phrases[0]) < 2:
        return None
    tokens = list(dict.fromkeys(q.phrases[0]))
    common = dict(db.execute(_COMMON_TOKENS, {"tokens": tokens}).all())
    return min(tokens, key=lambda token: common.get(token, 0.0))


# A token's share of the posts, when it is among the most common the statistics keep.
_COMMON_TOKENS = text(
    "SELECT e.token, e.share FROM pg_stats,"
    " unnest(most_common_elems::text::text[], most_common_elem_freqs) AS e(token, share)"
    " WHERE schemaname = current_schema() AND tablename = 'ix_forum_search_terms_tsv'"
    " AND e.token = ANY(CAST(:tokens AS text[]))"
).bindparams(bindparam("tokens", type_=ARRAY(String)))


def _tsvector_matches(tsquery: ColumnElement[Any]) -> ColumnElement[bool]:
    # Written exactly as the GIN expression index is, or PostgreSQL would not use it.
    return func.to_tsvector(_SIMPLE, SearchEntry.terms).op("@@")(tsquery)


def _phrases(phrases: int) -> list[ColumnElement[bool]]:
    """Each phrase as a substring of the terms, which single spaces part: exactly what the
    index's tokens ANDed and <-> would find together, at a fraction of the cost of running
    to_tsvector on the row (strpos ~1 us, to_tsvector ~40 us on a post's terms). Tokens hold
    no space and the terms are stored padded, so a padded phrase matches whole tokens only."""
    return [func.strpos(SearchEntry.terms, _phrase(index)) > 0 for index in range(phrases)]


def _scan_candidates(q: _Query, board_ids: Sequence[int], limit: int) -> Select[Any]:
    # A window of ids, not "the newest N of these boards": the cost stays bounded whatever
    # share of the posts the boards hold.
    after = select(func.max(Post.id)).scalar_subquery() - SCAN_POSTS
    return (
        select(Post.id.label("post_id"), literal(0.0).label("score"), Post.created_at)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.id > after, Thread.board_id.in_(board_ids), *_visible(), *_scanned(q))
        .order_by(Post.id.desc())
        .limit(limit)
    )


def _hits(db: Session, post_ids: list[int], words: Sequence[str]) -> Iterator[SearchHit]:
    if not post_ids:
        return
    rows = db.connection().execute(_HITS, {"post_ids": post_ids}).all()
    by_id = {row.id: row for row in rows}
    for post_id in post_ids:
        if (row := by_id.get(post_id)) is not None:
            yield SearchHit(
                post_id=post_id,
                thread_id=row.thread_id,
                thread_title=row.title,
                title_html=highlight(row.title, words),
                floor=row.floor,
                board_id=row.board_id,
                author_name=row.display_name,
                created_at=row.created_at,
                snippet=snippet(plain_text(row.body_html), words),
            )


# Columns, not Post objects: the source text, the largest column, is not needed here. Built
# once: building it for each search cost more than running it.
_HITS = (
    select(
        Post.id, Post.thread_id, Post.floor, Post.created_at, Post.body_html,
        Thread.title, Thread.board_id, User.display_name,
    )
    .join(Thread, Thread.id == Post.thread_id)
    .join(User, User.id == Post.author_id)
    .where(Post.id.in_(bindparam("post_ids", expanding=True)), *_visible())
)  # fmt: skip
