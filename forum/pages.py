"""Forum pages outside the boards: a person's posts, Atom feeds, and the forum's part of an
organization's front page."""

from __future__ import annotations

import time
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import func, select
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from grassroots import feeds, markup, policy
from grassroots.accounts.models import User
from grassroots.accounts.tree import OrgRef
from grassroots.i18n import get_locale
from grassroots.i18n import gettext as _
from grassroots.web import Context, view

from . import access, boards, reading, solicitations
from .models import Board, ContentState, Post, Thread

FEED_ENTRIES = 30


@view
def person(ctx: Context) -> Response:
    username = str(ctx.request.path_params["username"])[:40].lower()
    user = ctx.db.scalar(select(User).where(func.lower(User.username) == username))
    if user is None:
        raise HTTPException(404)
    ctx.require(policy.may_read_public(ctx.actor))
    before_raw = ctx.query("before")
    try:
        before = datetime.fromisoformat(before_raw) if before_raw else None
    except ValueError:
        before = None
    readable = access.readable_board_ids(ctx.db, ctx.actor, ctx.tree)
    posts = reading.posts_by(ctx.db, user, board_ids=readable, before=before)
    older = posts[-1].post.created_at.isoformat() if len(posts) == 30 else ""
    return ctx.render("forum/person.html", person=user, posts=posts, older=older)


def _public_boards(ctx: Context) -> list[Board]:
    """Feeds are read by programs that never log in: public boards only."""
    return [b for b in boards.list_boards(ctx.db) if not b.members_only]


@view
def threads_feed(ctx: Context) -> Response:
    ctx.require(policy.may_read_public(ctx.actor))
    public = _public_boards(ctx)
    title = _("Grassroots")
    board_slug, org_slug = ctx.query("board"), ctx.query("org")
    if board_slug:
        public = [b for b in public if b.slug == board_slug]
        if not public:
            raise HTTPException(404)
        title = public[0].name
    elif org_slug:
        org = ctx.tree.by_slug(org_slug)  # NotFound: a 404
        within = set(ctx.tree.within(org.id))
        public = [b for b in public if b.organization_id in within]
        title = org.name
    rows = ctx.db.execute(
        select(Thread, Post, User.display_name)
        .join(Post, (Post.thread_id == Thread.id) & (Post.floor == 1))
        .join(User, User.id == Thread.author_id)
        .where(Thread.board_id.in_([b.id for b in public]), Thread.state == ContentState.VISIBLE)
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(FEED_ENTRIES)
    ).all()
    return _atom(ctx, title, rows)


def _atom(ctx: Context, title: str, rows: list) -> Response:  # type: ignore[type-arg]
    base = ctx.settings.site_url.rstrip("/")
    entries = []
    for thread, post, author in rows:
        body = post.body_html if post.state is ContentState.VISIBLE else ""
        entries.append(
            feeds.Entry(
                link=f"{base}/forum/t/{thread.id}",
                title=thread.title,
                author=author,
                published=thread.created_at,
                updated=thread.last_post_at,
                html=body,
                summary=markup.plain_text(body)[:200],
            )  # fmt: skip
        )
    return feeds.atom_response(feeds.self_url(ctx.settings.site_url, ctx.request.url), title, entries)


FRONT_SECTION_SECONDS = 15


def org_section(ctx: Context, org: OrgRef) -> Markup:
    """The forum's part of an organization's front page: solicitations and latest threads of
    the organization and the ones under it, as far as the reader may read them. What anonymous
    readers see is drawn at most every FRONT_SECTION_SECONDS: a front page is read far more
    often than anything on it changes, and no one version number covers all its boards."""
    key = None
    if ctx.user is None:
        key = ("org-section", org.id, get_locale(), int(time.monotonic() // FRONT_SECTION_SECONDS))
        cached = ctx.site.fragments.get(key)
        if cached is not None:
            return Markup(cached)  # noqa: S704 (drawn by the escaping template below)
    below = {o.id for o in ctx.tree.by_id.values() if org.id in ctx.tree.path(o.id)}
    readable = [
        b.id
        for b in boards.list_boards(ctx.db, sorted(below))
        if access.may_read_board(ctx.actor, ctx.tree, b)
    ]
    open_rows, answered = solicitations.for_front_page(ctx.db, readable)
    template = ctx.site.templates.get_template("forum/_org_section.html")
    node = ctx.tree.by_id[org.id]
    html = template.render(
        ctx=ctx, org=node, tz=node.timezone, open_rows=open_rows, answered=answered,
        threads=reading.latest_threads(ctx.db, readable),
        may_manage=access.may_manage_boards(ctx.actor, ctx.tree, org.id),
    )  # fmt: skip
    if key is not None:
        ctx.site.fragments.put(key, html)
    return Markup(html)  # noqa: S704


routes = [
    Route("/u/{username}", person, methods=["GET"], name="person"),
    Route("/feeds/threads.atom", threads_feed, methods=["GET"], name="threads_feed"),
]
