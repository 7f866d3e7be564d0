"""The forum's pages: boards, threads, replies, edits, agreement, solicitations."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from grassroots import markup, policy
from grassroots.accounts.tree import OrgNode
from grassroots.db import utcnow
from grassroots.errors import DomainError, FormInvalid, NotFound
from grassroots.i18n import get_locale
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier
from grassroots.numbers import to_int
from grassroots.threads import ThreadRef
from grassroots.web import Context, view
from moderation.screening import Blocked

from . import access, boards, notices, posting, reading, search, solicitations
from .models import Board, ContentState, Decision, Post, Thread, ThreadKind


def notifier_for(ctx: Context) -> Notifier:
    return Notifier(site_url=ctx.settings.site_url, mail_enabled=ctx.settings.mail_enabled)


def _found(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except NotFound as exc:
        raise HTTPException(404) from exc


def _page_number(ctx: Context) -> int:
    raw = ctx.query("page", "1")
    return to_int(raw, digits=6) or 1


def _org(ctx: Context, board: Board) -> OrgNode:
    return ctx.tree.by_id[board.organization_id]


def _readable_board(ctx: Context) -> Board:
    board: Board = _found(boards.get_board, ctx.db, str(ctx.request.path_params["board"]))
    ctx.require(access.may_read_board(ctx.actor, ctx.tree, board))
    return board


def _readable_thread(ctx: Context, thread_id: int) -> tuple[Thread, Board]:
    thread: Thread = _found(reading.get_thread, ctx.db, thread_id)
    board = ctx.db.get_one(Board, thread.board_id)
    ctx.require(access.may_read_board(ctx.actor, ctx.tree, board))
    if not reading.thread_visible_to(thread, ctx.user.id if ctx.user else None):
        raise HTTPException(404)
    return thread, board


def _readable_post(ctx: Context) -> tuple[Post, Thread, Board]:
    post: Post = _found(reading.get_post, ctx.db, ctx.path_int("post_id"))
    thread, board = _readable_thread(ctx, post.thread_id)
    viewer_id = ctx.user.id if ctx.user else None
    if post.state in (ContentState.HELD, ContentState.REJECTED) and post.author_id != viewer_id:
        raise HTTPException(404)
    return post, thread, board


def thread_ref(ctx: Context, thread_id: int) -> ThreadRef | None:
    """The thread as other features see it (grassroots/threads.py), when the person asking
    may read it; None for an unknown or unreadable thread."""
    try:
        thread = reading.get_thread(ctx.db, thread_id)
    except NotFound:
        return None
    board = ctx.db.get_one(Board, thread.board_id)
    if not access.may_read_board(ctx.actor, ctx.tree, board):
        return None
    if not reading.thread_visible_to(thread, _viewer_id(ctx)):
        return None
    return _ref(thread, board)


def _ref(thread: Thread, board: Board) -> ThreadRef:
    return ThreadRef(
        id=thread.id, title=thread.title, author_id=thread.author_id, organization_id=board.organization_id,
        members_only=board.members_only, url=f"/forum/t/{thread.id}",
    )  # fmt: skip


def _viewer_id(ctx: Context) -> int | None:
    return ctx.user.id if ctx.user else None


# ---------------------------------------------------------------- boards


@view
def index(ctx: Context) -> Response:
    ctx.require(policy.may_read_public(ctx.actor))
    rows = []
    by_org: dict[int, list[Board]] = {}
    for board in boards.list_boards(ctx.db):
        by_org.setdefault(board.organization_id, []).append(board)
    for org, depth in ctx.tree.flat():
        if org.id in by_org:
            rows.append(
                (org, depth, [(b, access.may_read_board(ctx.actor, ctx.tree, b)) for b in by_org[org.id]])
            )
    moderators = boards.moderators_of(ctx.db, [b.id for bs in by_org.values() for b in bs])
    return ctx.render("forum/index.html", rows=rows, moderators=moderators)


@view
def board_page(ctx: Context) -> Response:
    board = _readable_board(ctx)
    threads, page, pages = reading.list_threads(
        ctx.db, board, page=_page_number(ctx), viewer_id=_viewer_id(ctx)
    )
    org = _org(ctx, board)
    return ctx.render(
        "forum/board.html",
        board=board,
        org=org,
        trail=ctx.tree.ancestors(org.id),
        threads=threads,
        page=page,
        pages=pages,
        moderators=boards.moderators_of(ctx.db, [board.id]).get(board.id, []),
        may_post=access.may_post_in_board(ctx.actor, ctx.tree, board),
        watching=ctx.user is not None and notices.is_watching(ctx.db, user_id=ctx.user.id, board_id=board.id),
    )


def _new_thread_form(ctx: Context, board: Board, status_code: int = 200, **values: Any) -> Response:
    org = _org(ctx, board)
    values.setdefault("errors", {})
    values.setdefault("message", "")
    values.setdefault("preview", "")
    for name in ("title", "body", "deadline", "kind"):
        values.setdefault(name, ctx.field(name))
    return ctx.render(
        "forum/new_thread.html",
        status_code=status_code,
        board=board,
        org=org,
        trail=ctx.tree.ancestors(org.id),
        may_solicit=policy.may_run_organization(ctx.actor, ctx.tree.path(org.id)),
        **values,
    )


@view
def new_thread(ctx: Context) -> Response:
    board = _readable_board(ctx)
    ctx.require(access.may_post_in_board(ctx.actor, ctx.tree, board))
    if ctx.request.method == "GET":
        return _new_thread_form(ctx, board)
    user = ctx.require_login()
    if ctx.field("action") == "preview":
        return _new_thread_form(ctx, board, preview=markup.render(ctx.field("body")))
    org = _org(ctx, board)
    solicitation = ctx.field("kind") == ThreadKind.SOLICITATION.value
    try:
        if solicitation:
            ctx.require(policy.may_run_organization(ctx.actor, ctx.tree.path(org.id)))
            deadline = _parse_deadline(ctx.field("deadline"), org.timezone)
            thread = solicitations.open_solicitation(
                ctx.db,
                notifier_for(ctx),
                board=board,
                author=user,
                title=ctx.field("title"),
                question=ctx.field("body"),
                deadline=deadline,
            )
        else:
            thread = posting.start_thread(
                ctx.db,
                notifier_for(ctx),
                board=board,
                author=user,
                title=ctx.field("title"),
                body=ctx.field("body"),
            )
    except FormInvalid as exc:
        ctx.db.rollback()
        return _new_thread_form(ctx, board, 400, errors=exc.errors)
    except Blocked as exc:
        ctx.db.rollback()
        return _new_thread_form(ctx, board, exc.status_code, message=exc.message)
    return ctx.redirect(f"/forum/t/{thread.id}")


def _parse_deadline(raw: str, timezone: str) -> datetime | None:
    """A datetime-local value, meant in the organization's time zone."""
    try:
        local = datetime.fromisoformat(raw.strip())
    except ValueError:
        if raw.strip():
            raise FormInvalid({"deadline": _("Please give the date and time as on the form.")}) from None
        return None
    if local.tzinfo is not None:
        return local
    return local.replace(tzinfo=ZoneInfo(timezone))


# ---------------------------------------------------------------- threads


def _thread_page(
    ctx: Context, thread: Thread, board: Board, *, root: Post | None = None, **extra: Any
) -> Response:
    viewer_id = _viewer_id(ctx)
    org = _org(ctx, board)
    may_post = access.may_post_in_board(ctx.actor, ctx.tree, board)
    open_error = ""
    try:
        posting.check_open(thread)
    except DomainError as exc:
        open_error = exc.message
    response = solicitations.get_response(ctx.db, thread) if thread.kind is ThreadKind.SOLICITATION else None
    parts = {
        "thread": thread, "board": board, "org": org, "tz": org.timezone, "root": root,
        "by_agreement": ctx.query("sort") == "agree" and root is None, "response": response,
        "may_post": may_post, "open_error": open_error, "csrf": ctx.csrf_token() if ctx.user else "",
        "decision_label": decision_label,
        "may_moderate": policy.may_moderate(ctx.actor, ctx.tree.path(board.organization_id)),
        "sections": [section.render(ctx, _ref(thread, board)) for section in ctx.site.thread_sections],
    }  # fmt: skip
    for name in ("errors", "body", "preview", "message"):
        extra.setdefault(name, {} if name == "errors" else "")
    return ctx.render(
        "forum/thread.html",
        status_code=extra.pop("status_code", 200),
        trail=ctx.tree.ancestors(org.id),
        posts_html=_posts_html(ctx, viewer_id, parts),
        is_open=solicitations.is_open(thread),
        may_respond=thread.kind is ThreadKind.SOLICITATION
        and policy.may_run_organization(ctx.actor, ctx.tree.path(org.id)),
        watching=viewer_id is not None
        and notices.is_watching(ctx.db, user_id=viewer_id, thread_id=thread.id),
        **parts,
        **extra,
    )


def _posts_html(ctx: Context, viewer_id: int | None, parts: dict[str, Any]) -> Markup:
    thread, root, number = parts["thread"], parts["root"], _page_number(ctx)
    if parts["by_agreement"]:
        page = reading.agreement_page(ctx.db, thread, page=number, viewer_id=viewer_id)
    else:
        page = reading.tree_page(ctx.db, thread, page=number, viewer_id=viewer_id, root=root)
    template = ctx.site.templates.get_template("forum/_posts.html")
    return Markup(template.render(ctx=ctx, viewer=ctx.viewer, request=ctx.request, page=page, **parts))  # noqa: S704


def _shared_key(ctx: Context, thread_id: int, stamp: reading.ThreadStamp, root_id: int) -> tuple[Any, ...]:
    """A thread page as anonymous readers see it is the same for all of them, so it is drawn
    once per version of the thread and kept (GRASSROOTS_PAGE_CACHE_MB). The key holds all the
    page shows that a new version does not: the clock's say on a solicitation, the thread's
    flags, the sections other features add (a poll), the language, the page asked for."""
    open_now = (
        stamp.kind is ThreadKind.SOLICITATION and stamp.deadline is not None and utcnow() < stamp.deadline
    )
    return (
        "thread", thread_id, stamp.version, stamp.board_id, stamp.state, stamp.locked, stamp.pinned,
        stamp.featured, open_now,
        root_id, ctx.query("sort") == "agree", _page_number(ctx), get_locale(),
        tuple(section.stamp(ctx.db, thread_id) for section in ctx.site.thread_sections),
    )  # fmt: skip


def _kept_page(ctx: Context, thread_id: int, root_id: int = 0) -> Response | None:
    """The kept page, when the reader is anonymous and may read it: one query, no objects."""
    if ctx.user is not None:
        return None
    stamp = reading.thread_stamp(ctx.db, thread_id)
    if stamp is None or stamp.members_only or stamp.state is not ContentState.VISIBLE:
        return None
    # Public boards are public everywhere, whatever the organization (DESIGN.md's role table),
    # so the hot path asks without loading the organization tree.
    if not policy.may_read_public(ctx.actor):
        return None
    cached = ctx.site.fragments.get(_shared_key(ctx, thread_id, stamp, root_id))
    return HTMLResponse(cached) if cached is not None else None


def _shared_page(ctx: Context, thread: Thread, board: Board, root: Post | None = None) -> Response:
    # Stamped as loaded, before the posts are read: a write landing meanwhile can only make the
    # kept page newer than its key says, never older.
    stamp = reading.ThreadStamp(
        thread.version, thread.state, thread.locked, thread.pinned, thread.featured, thread.kind,
        thread.deadline, board.members_only, board.organization_id, board.id,
    )  # fmt: skip
    keep = ctx.user is None and not board.members_only and thread.state is ContentState.VISIBLE
    key = _shared_key(ctx, thread.id, stamp, root.id if root else 0) if keep else None
    response = _thread_page(ctx, thread, board, root=root)
    if key is not None:
        ctx.site.fragments.put(key, bytes(response.body).decode())
    return response


@view
def thread_page(ctx: Context) -> Response:
    kept = _kept_page(ctx, ctx.path_int("thread_id"))
    if kept is not None:
        return kept
    thread, board = _readable_thread(ctx, ctx.path_int("thread_id"))
    return _shared_page(ctx, thread, board)


@view
def branch_page(ctx: Context) -> Response:
    """The replies under one post, where they nest too deep for the thread page."""
    kept = _kept_page(ctx, ctx.path_int("thread_id"), ctx.path_int("post_id"))
    if kept is not None:
        return kept
    post, thread, board = _readable_post(ctx)
    if post.thread_id != ctx.path_int("thread_id"):
        raise HTTPException(404)
    return _shared_page(ctx, thread, board, root=post)


@view
def permalink(ctx: Context) -> Response:
    post, thread, _board = _readable_post(ctx)
    place = reading.place_of(ctx.db, post, viewer_id=_viewer_id(ctx))
    base = f"/forum/t/{thread.id}" + (f"/b/{place.root.id}" if place.root else "")
    query = f"?page={place.page}" if place.page > 1 else ""
    return ctx.redirect(f"{base}{query}#floor-{post.floor}")


def _reply_form(
    ctx: Context, thread: Thread, board: Board, parent: Post | None, status_code: int = 200, **values: Any
) -> Response:
    org = _org(ctx, board)
    values.setdefault("errors", {})
    values.setdefault("message", "")
    values.setdefault("preview", "")
    values.setdefault("body", ctx.field("body"))
    return ctx.render(
        "forum/reply.html",
        status_code=status_code,
        thread=thread,
        board=board,
        org=org,
        trail=ctx.tree.ancestors(org.id),
        parent=parent,
        **values,
    )


def _quote(post: Post, author_name: str) -> str:
    lines = markup.plain_text(post.body_html).splitlines()[:6]
    quoted = "\n".join(f"> {line}" for line in lines)
    head = _("[Floor %(floor)d](/forum/p/%(id)d), %(name)s:", floor=post.floor, id=post.id, name=author_name)
    return f"> {head}\n{quoted}\n\n"


@view
def reply_form(ctx: Context) -> Response:
    """Answer a chosen post (or quote it), on a page of its own: works without JavaScript."""
    thread, board = _readable_thread(ctx, ctx.path_int("thread_id"))
    ctx.require(access.may_post_in_board(ctx.actor, ctx.tree, board))
    parent_id = ctx.query("parent")
    parent_number = to_int(parent_id, digits=17)
    parent = ctx.db.get(Post, parent_number) if parent_number is not None else None
    if parent is None or parent.thread_id != thread.id or parent.state is not ContentState.VISIBLE:
        parent = reading.opening_post(ctx.db, thread)
    body = _quote(parent, parent.author.display_name) if ctx.query("quote") else ""
    return _reply_form(ctx, thread, board, parent, body=body)


@view
def reply(ctx: Context) -> Response:
    thread, board = _readable_thread(ctx, ctx.path_int("thread_id"))
    ctx.require(access.may_post_in_board(ctx.actor, ctx.tree, board))
    user = ctx.require_login()
    raw_parent = ctx.field("parent_id")
    parent_id = ctx.int_field("parent_id")
    if raw_parent and parent_id is None:
        raise HTTPException(400)
    parent = ctx.db.get(Post, parent_id) if parent_id is not None else None
    shown_parent = parent if parent is not None and parent.thread_id == thread.id else None
    if ctx.field("action") == "preview":
        return _reply_form(ctx, thread, board, shown_parent, preview=markup.render(ctx.field("body")))
    try:
        post = posting.reply(
            ctx.db, notifier_for(ctx), thread=thread, parent_id=parent_id, author=user, body=ctx.field("body")
        )
    except FormInvalid as exc:
        ctx.db.rollback()
        return _reply_form(ctx, thread, board, shown_parent, 400, errors=exc.errors)
    except DomainError as exc:
        ctx.db.rollback()
        return _reply_form(ctx, thread, board, shown_parent, exc.status_code, message=exc.message)
    return ctx.redirect(f"/forum/p/{post.id}")


def _follow(ctx: Context, *, thread_id: int | None = None, board_id: int | None = None) -> None:
    user = ctx.require_login()
    change = notices.watch if ctx.field("watch") == "1" else notices.unwatch
    change(ctx.db, user_id=user.id, thread_id=thread_id, board_id=board_id)


@view
def watch_thread(ctx: Context) -> Response:
    thread, _board = _readable_thread(ctx, ctx.path_int("thread_id"))
    _follow(ctx, thread_id=thread.id)
    return ctx.redirect(f"/forum/t/{thread.id}")


@view
def watch_board(ctx: Context) -> Response:
    board = _readable_board(ctx)
    _follow(ctx, board_id=board.id)
    return ctx.redirect(f"/forum/{board.slug}/")


# ---------------------------------------------------------------- one post


@view
def edit_post(ctx: Context) -> Response:
    post, thread, board = _readable_post(ctx)
    user = ctx.require_login()
    ctx.require(post.author_id == user.id and post.state is not ContentState.DELETED)
    org = _org(ctx, board)
    values: dict[str, Any] = {"errors": {}, "message": "", "preview": ""}
    title = ctx.field("title", thread.title) if post.floor == 1 else None
    body = ctx.field("body", post.body_source)
    if ctx.request.method == "POST":
        if ctx.field("action") == "preview":
            values["preview"] = markup.render(body)
        else:
            try:
                posting.edit_post(ctx.db, notifier_for(ctx), post=post, editor=user, body=body, title=title)
                return ctx.redirect(f"/forum/p/{post.id}")
            except FormInvalid as exc:
                ctx.db.rollback()
                values.update(errors=exc.errors, status_code=400)
            except DomainError as exc:
                ctx.db.rollback()
                values.update(message=exc.message, status_code=exc.status_code)
    return ctx.render(
        "forum/edit.html",
        status_code=values.pop("status_code", 200),
        post=post,
        thread=thread,
        board=board,
        org=org,
        trail=ctx.tree.ancestors(org.id),
        title=title,
        body=body,
        **values,
    )


@view
def delete_post(ctx: Context) -> Response:
    post, thread, board = _readable_post(ctx)
    user = ctx.require_login()
    ctx.require(post.author_id == user.id)
    if ctx.request.method == "GET":
        org = _org(ctx, board)
        return ctx.render(
            "forum/delete.html",
            post=post,
            thread=thread,
            board=board,
            org=org,
            trail=ctx.tree.ancestors(org.id),
        )
    posting.delete_post(ctx.db, post=post, actor=user)
    return ctx.redirect(f"/forum/p/{post.id}")


@view
def agree(ctx: Context) -> Response:
    post, thread, board = _readable_post(ctx)
    user = ctx.require_login()
    ctx.require(access.may_post_in_board(ctx.actor, ctx.tree, board))
    if ctx.field("agree") == "0":
        posting.withdraw_agreement(ctx.db, post=post, user=user)
    else:
        posting.agree(ctx.db, post=post, user=user)
    return ctx.redirect(f"/forum/p/{post.id}")


@view
def history(ctx: Context) -> Response:
    post, thread, board = _readable_post(ctx)
    org = _org(ctx, board)
    revisions = reading.list_revisions(ctx.db, post)
    versions = [(r.title, r.body_source, r.written_at) for r in revisions]
    versions.append(
        (thread.title if post.floor == 1 else "", post.body_source, post.edited_at or post.created_at)
    )
    return ctx.render(
        "forum/history.html",
        post=post,
        thread=thread,
        board=board,
        org=org,
        trail=ctx.tree.ancestors(org.id),
        changes=[(versions[i], versions[i + 1]) for i in range(len(versions) - 1)][::-1],
    )


# ---------------------------------------------------------------- solicitation response


@view
def respond(ctx: Context) -> Response:
    thread, board = _readable_thread(ctx, ctx.path_int("thread_id"))
    org = _org(ctx, board)
    ctx.require(policy.may_run_organization(ctx.actor, ctx.tree.path(org.id)))
    if thread.kind is not ThreadKind.SOLICITATION:
        raise HTTPException(404)
    opinions = solicitations.opinions_of(ctx.db, thread)
    errors: dict[str, str] = {}
    message = ""
    if ctx.request.method == "POST":
        user = ctx.require_login()
        decisions = {
            post.id: solicitations.DecisionInput(
                ctx.field(f"decision-{post.id}"), ctx.field(f"reason-{post.id}")
            )
            for post in opinions
        }
        try:
            solicitations.publish_response(
                ctx.db,
                notifier_for(ctx),
                thread=thread,
                actor=user,
                summary=ctx.field("summary"),
                decisions=decisions,
            )
            return ctx.redirect(f"/forum/t/{thread.id}")
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
        except DomainError as exc:
            ctx.db.rollback()
            message = exc.message
    return ctx.render(
        "forum/respond.html",
        status_code=400 if errors or message else 200,
        thread=thread,
        board=board,
        org=org,
        trail=ctx.tree.ancestors(org.id),
        opinions=opinions,
        errors=errors,
        message=message,
        is_open=solicitations.is_open(thread),
        decisions=[(d.value, decision_label(d)) for d in Decision],
        already=solicitations.get_response(ctx.db, thread) is not None,
    )


@view
def search_page(ctx: Context) -> Response:
    """Search what the reader may read; words found are marked in titles and excerpts."""
    ctx.require(policy.may_read_public(ctx.actor))
    query = ctx.query("q")[:200]
    results = None
    board_names: dict[int, str] = {}
    if query.strip():
        board_names = {b.id: b.name for b in access.readable_boards(ctx.db, ctx.actor, ctx.tree)}
        results = search.search(ctx.db, query, board_ids=list(board_names), page=_page_number(ctx))
    pages = reading.pages_for(results.total, results.per_page) if results else 1
    return ctx.render("forum/search.html", query=query, results=results, pages=pages, board_names=board_names)


def decision_label(decision: Decision | str) -> str:
    return {
        Decision.ADOPTED: _("Adopted"),
        Decision.PARTLY: _("Partly adopted"),
        Decision.NOT_ADOPTED: _("Not adopted"),
    }[Decision(decision)]


routes = [
    Route("/", index, methods=["GET"], name="index"),
    Route("/search", search_page, methods=["GET"], name="search"),
    Route("/t/{thread_id}", thread_page, methods=["GET"], name="thread"),
    Route("/t/{thread_id}/b/{post_id}", branch_page, methods=["GET"], name="branch"),
    Route("/t/{thread_id}/reply", reply_form, methods=["GET"], name="reply_form"),
    Route("/t/{thread_id}/reply", reply, methods=["POST"], name="reply"),
    Route("/t/{thread_id}/watch", watch_thread, methods=["POST"], name="watch_thread"),
    Route("/t/{thread_id}/respond", respond, methods=["GET", "POST"], name="respond"),
    Route("/p/{post_id}", permalink, methods=["GET"], name="post"),
    Route("/p/{post_id}/edit", edit_post, methods=["GET", "POST"], name="edit"),
    Route("/p/{post_id}/delete", delete_post, methods=["GET", "POST"], name="delete"),
    Route("/p/{post_id}/agree", agree, methods=["POST"], name="agree"),
    Route("/p/{post_id}/history", history, methods=["GET"], name="history"),
    Route("/{board}/", board_page, methods=["GET"], name="board"),
    Route("/{board}/new", new_thread, methods=["GET", "POST"], name="new_thread"),
    Route("/{board}/watch", watch_board, methods=["POST"], name="watch_board"),
]
