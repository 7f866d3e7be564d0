"""Reading the forums: a board's threads, a page of a thread's tree, a post's place, revisions,
a person's posts. Each page is read in a fixed number of queries, whatever it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from grassroots.accounts.models import User
from grassroots.errors import NotFound
from grassroots.i18n import gettext as _

from .models import Agreement, Board, ContentState, Post, PostRevision, Thread, ThreadKind
from .posting import SEGMENT

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 50
SHOWN_DEPTH = 6  # replies nest this deep on a page; deeper ones continue on their own page


@dataclass(frozen=True)
class PostRow:
    post: Post
    author_name: str
    author_username: str
    parent_floor: int | None
    agreed: bool = False

    @property
    def continues(self) -> bool:
        """Its replies are too deep for this page and go on under their own address."""
        return self.post.reply_count > 0 and self.post.depth % SHOWN_DEPTH == 0 and self.post.depth > 0


@dataclass(frozen=True)
class Page:
    rows: list[PostRow]
    number: int
    count: int  # pages in all


@dataclass(frozen=True)
class ThreadRow:
    thread: Thread
    author_name: str


def pages_for(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def get_thread(db: Session, thread_id: int) -> Thread:
    thread = db.get(Thread, thread_id)
    if thread is None:
        raise NotFound(_("There is no such thread."))
    return thread


@dataclass(frozen=True)
class ThreadStamp:
    """What decides whether a thread page kept for anonymous readers may be served: one row,
    no objects."""

    version: int
    state: ContentState
    locked: bool
    pinned: bool
    featured: bool
    kind: ThreadKind
    deadline: datetime | None
    members_only: bool
    organization_id: int
    board_id: int


def thread_stamp(db: Session, thread_id: int) -> ThreadStamp | None:
    row = db.execute(
        select(
            Thread.version, Thread.state, Thread.locked, Thread.pinned, Thread.featured, Thread.kind,
            Thread.deadline, Board.members_only, Board.organization_id, Thread.board_id,
        )
        .join(Board, Board.id == Thread.board_id)
        .where(Thread.id == thread_id)
    ).first()  # fmt: skip
    return ThreadStamp(*row) if row is not None else None


def get_post(db: Session, post_id: int) -> Post:
    post = db.get(Post, post_id)
    if post is None:
        raise NotFound(_("There is no such post."))
    return post


def thread_visible_to(thread: Thread, viewer_id: int | None) -> bool:
    return thread.state is ContentState.VISIBLE or (
        viewer_id is not None and thread.author_id == viewer_id and thread.state is not ContentState.DELETED
    )


def _seen_by(viewer_id: int | None):  # type: ignore[no-untyped-def]
    """Held and rejected posts are shown to their author alone."""
    private = Post.state.in_([ContentState.HELD, ContentState.REJECTED])
    return ~private if viewer_id is None else or_(~private, Post.author_id == viewer_id)


def list_threads(
    db: Session, board: Board, *, page: int, viewer_id: int | None
) -> tuple[list[ThreadRow], int, int]:
    """Pinned threads first, then by last activity; the author's own held threads included."""
    shown = Thread.state == ContentState.VISIBLE
    if viewer_id is not None:
        shown = or_(shown, and_(Thread.author_id == viewer_id, Thread.state == ContentState.HELD))
    where = and_(Thread.board_id == board.id, shown)
    total = db.scalar(select(func.count()).select_from(Thread).where(where)) or 0
    count = pages_for(total, THREADS_PER_PAGE)
    page = min(max(page, 1), count)
    rows = db.execute(
        select(Thread, User.display_name)
        .join(User, User.id == Thread.author_id)
        .where(where)
        .order_by(Thread.pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
        .limit(THREADS_PER_PAGE)
        .offset((page - 1) * THREADS_PER_PAGE)
    ).all()
    return [ThreadRow(t, name) for t, name in rows], page, count


def _post_rows(db: Session, query: Select, viewer_id: int | None) -> list[PostRow]:  # type: ignore[type-arg]
    rows = db.execute(query).all()
    agreed: set[int] = set()
    if viewer_id is not None and rows:
        ids = [row[0].id for row in rows]
        agreed = set(
            db.scalars(
                select(Agreement.post_id).where(Agreement.user_id == viewer_id, Agreement.post_id.in_(ids))
            )
        )
    return [
        PostRow(post, name, username, parent_floor, post.id in agreed)
        for post, name, username, parent_floor in rows
    ]


# Made once: building an alias per request cost more than running the query.
PARENT = aliased(Post, name="parent")


def _posts_query(viewer_id: int | None) -> Select:  # type: ignore[type-arg]
    return (
        select(Post, User.display_name, User.username, PARENT.floor)
        .join(User, User.id == Post.author_id)
        .outerjoin(PARENT, PARENT.id == Post.parent_id)
        .where(_seen_by(viewer_id))
    )


def _subtree(thread_id: int, root: Post | None) -> list:  # type: ignore[type-arg]
    """Conditions for the posts a tree page shows: from `root` (the whole thread when None)
    down SHOWN_DEPTH levels."""
    if root is None:
        return [Post.thread_id == thread_id, Post.depth <= SHOWN_DEPTH]
    return [
        Post.thread_id == thread_id,
        Post.depth.between(root.depth, root.depth + SHOWN_DEPTH),
        Post.sort_key >= root.sort_key,
        Post.sort_key < root.sort_key + "~",
    ]


def tree_page(
    db: Session, thread: Thread, *, page: int, viewer_id: int | None, root: Post | None = None
) -> Page:
    """One page of the thread laid out as a tree (or of the branch under `root`)."""
    where = _subtree(thread.id, root)
    total = db.scalar(select(func.count()).select_from(Post).where(*where, _seen_by(viewer_id))) or 0
    count = pages_for(total, POSTS_PER_PAGE)
    page = min(max(page, 1), count)
    query = _posts_query(viewer_id).where(*where).order_by(Post.sort_key)
    query = query.limit(POSTS_PER_PAGE).offset((page - 1) * POSTS_PER_PAGE)
    return Page(_post_rows(db, query, viewer_id), page, count)


def agreement_page(db: Session, thread: Thread, *, page: int, viewer_id: int | None) -> Page:
    """Every post of the thread, most agreed first (the opening post stays on top of page one)."""
    where = [Post.thread_id == thread.id, _seen_by(viewer_id)]
    total = db.scalar(select(func.count()).select_from(Post).where(*where)) or 0
    count = pages_for(total, POSTS_PER_PAGE)
    page = min(max(page, 1), count)
    query = (
        _posts_query(viewer_id)
        .where(Post.thread_id == thread.id)
        .order_by((Post.floor == 1).desc(), Post.agree_count.desc(), Post.floor)
        .limit(POSTS_PER_PAGE)
        .offset((page - 1) * POSTS_PER_PAGE)
    )
    return Page(_post_rows(db, query, viewer_id), page, count)


@dataclass(frozen=True)
class Place:
    """Where a post is shown: the thread page (root None) or a branch page, and which page."""

    root: Post | None
    page: int


def place_of(db: Session, post: Post, *, viewer_id: int | None) -> Place:
    root: Post | None = None
    if post.depth > SHOWN_DEPTH:
        root_depth = SHOWN_DEPTH * ((post.depth - 1) // SHOWN_DEPTH)
        key = post.sort_key[: (root_depth + 1) * SEGMENT]
        root = db.scalar(select(Post).where(Post.thread_id == post.thread_id, Post.sort_key == key))
    before = db.scalar(
        select(func.count())
        .select_from(Post)
        .where(*_subtree(post.thread_id, root), _seen_by(viewer_id), Post.sort_key < post.sort_key)
    )
    return Place(root, (before or 0) // POSTS_PER_PAGE + 1)


def opening_post(db: Session, thread: Thread) -> Post:
    return db.scalars(select(Post).where(Post.thread_id == thread.id, Post.floor == 1)).one()


def list_revisions(db: Session, post: Post) -> list[PostRevision]:
    return list(
        db.scalars(select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.number))
    )


@dataclass(frozen=True)
class AuthoredPost:
    post: Post
    thread: Thread


def posts_by(
    db: Session, user: User, *, board_ids: list[int], before: datetime | None, limit: int = 30
) -> list[AuthoredPost]:
    """A person's visible posts in the boards the reader may read, newest first."""
    query = (
        select(Post, Thread)
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Post.author_id == user.id,
            Post.state == ContentState.VISIBLE,
            Thread.state == ContentState.VISIBLE,
            Thread.board_id.in_(board_ids),
        )
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(Post.created_at < before)
    return [AuthoredPost(post, thread) for post, thread in db.execute(query).all()]


def latest_threads(db: Session, board_ids: list[int], limit: int = 10) -> list[ThreadRow]:
    rows = db.execute(
        select(Thread, User.display_name)
        .join(User, User.id == Thread.author_id)
        .where(Thread.board_id.in_(board_ids), Thread.state == ContentState.VISIBLE)
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(limit)
    ).all()
    return [ThreadRow(t, name) for t, name in rows]
