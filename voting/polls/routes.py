"""The poll pages: make a poll on a thread or on its own page, see it, vote, close it early; and
the poll's section of a thread's page (grassroots/threads.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from grassroots import policy
from grassroots.db import utcnow
from grassroots.errors import Conflict, FormInvalid, NotFound
from grassroots.i18n import gettext as _
from grassroots.threads import ThreadRef, ThreadSection
from grassroots.web import Context, view

from . import ballots, labels, polls, thread_stamps
from .models import Method, Poll, PollKind, PollState, Shown, Voters

FIELDS = [
    "question",
    "options",
    "kind",
    "max_choices",
    "method",
    "seats",
    "voters",
    "shown",
    "opens_at",
    "closes_at",
]
DEFAULTS = {"kind": "single", "max_choices": "2", "method": "schulze", "seats": "2", "voters": "members",
            "shown": "after_voting"}  # fmt: skip


def _path(ctx: Context, poll: Poll) -> tuple[int, ...]:
    return ctx.tree.path(poll.organization_id)


def _thread(ctx: Context, poll: Poll) -> ThreadRef | None:
    """The thread that carries the poll; a poll on a thread the reader may not read is unknown."""
    if poll.thread_id is None:
        ctx.require(policy.may_read_public(ctx.actor, _path(ctx, poll)))
        return None
    thread = ctx.site.find_thread(ctx, poll.thread_id)
    if thread is None:
        raise HTTPException(404)
    return thread


def _home(poll: Poll, thread: ThreadRef | None) -> str:
    return f"{thread.url}#poll" if thread else f"/polls/{poll.id}"


def _settled(ctx: Context, poll: Poll) -> Poll:
    """A poll past its end is closed by whoever looks first. A page that only reads closes it in
    a unit of its own; a page that writes, in its own."""
    if not polls.has_ended(poll):
        return poll
    if ctx.request.method != "GET":
        polls.settle(ctx.db, poll)
        return poll
    with ctx.site.database.writing() as db:
        locked = polls.get_poll(db, poll.id, for_update=True)
        polls.settle(db, locked)
    return locked


def _values(ctx: Context, poll: Poll, thread: ThreadRef | None, **extra: Any) -> dict[str, Any]:
    """Everything templates/polls/_poll.html shows of the poll to the person looking."""
    user, path = ctx.user, _path(ctx, poll)
    options = polls.options_of(poll)
    voted = bool(user and polls.has_voted(ctx.db, poll, user.id))
    shown = poll.state is PollState.CLOSED or (poll.shown is Shown.AFTER_VOTING and voted)
    result = polls.current_result(ctx.db, poll) if shown else None
    values = {
        "p": poll, "options": options, "thread": thread, "voted": voted, "result": result,
        "is_open": polls.is_open(poll), "not_yet": poll.state is PollState.OPEN and utcnow() < poll.opens_at,
        "eligible": policy.may_vote_in_poll(ctx.actor, path, members_only=poll.voters is Voters.MEMBERS),
        "may_close": poll.state is PollState.OPEN and policy.may_close_poll(
            ctx.actor, path, created_by_id=poll.created_by_id, on_thread=thread is not None),
        "voters": polls.voters_count(ctx.db, poll) if user or poll.state is PollState.CLOSED else None,
        "tz": ctx.tree.by_id[poll.organization_id].timezone, "message": "",
        "errors": {}, "typed_choices": [], "typed_ranks": {}, **labels.HELPERS, **extra,
    }  # fmt: skip
    if result is not None:
        values.update(_result_values(result, options))
    return values


def _result_values(result: dict[str, Any], options: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {"chart": labels.chart(result["counts"], options, result["ballots"])}
    if "irv" in result:
        rounds = result["irv"]["rounds"]
        values["round_rows"] = labels.rounds_table(rounds, options, "tallies")
        values["round_notes"] = labels.runoff_events(rounds, options)
        values["exhausted"] = [r["exhausted"] for r in rounds]
    if "stv" in result:
        rounds = result["stv"]["rounds"]
        values["round_rows"] = labels.rounds_table(rounds, options, "scores")
        values["round_notes"] = [
            "；".join(labels.event_text(e, options) for e in r["events"]) for r in rounds
        ]
    return values


def render_poll(ctx: Context, poll: Poll, thread: ThreadRef | None, **extra: Any) -> Markup:
    page = ctx.site.templates.get_template("polls/_poll.html")
    html = page.render(ctx=ctx, viewer=ctx.viewer, request=ctx.request, **_values(ctx, poll, thread, **extra))
    return Markup(html)  # noqa: S704 (a template of ours, autoescaped)


def _page(
    ctx: Context, poll: Poll, thread: ThreadRef | None, status_code: int = 200, **extra: Any
) -> Response:
    return ctx.render(
        "polls/poll.html", status_code=status_code, p=poll, thread=thread,
        org=ctx.tree.by_id[poll.organization_id], poll_html=render_poll(ctx, poll, thread, **extra),
    )  # fmt: skip


def _load(ctx: Context, *, for_update: bool = False) -> Poll:
    try:
        return polls.get_poll(ctx.db, ctx.path_int("poll_id"), for_update=for_update)
    except NotFound as exc:
        raise HTTPException(404) from exc


@view
def show(ctx: Context) -> Response:
    poll = _load(ctx)
    thread = _thread(ctx, poll)
    return _page(ctx, _settled(ctx, poll), thread)


@view
def vote(ctx: Context) -> Response:
    poll = _load(ctx, for_update=True)
    thread = _thread(ctx, poll)
    user = ctx.require_login()
    if polls.settle(ctx.db, poll):  # its end came before the vote did: the close is kept
        return _page(
            ctx, poll, thread, status_code=409, message=_("This poll has closed: your vote was not counted.")
        )
    choices, ranks = ctx.fields("choice"), _typed_ranks(ctx)
    eligible = policy.may_vote_in_poll(
        ctx.actor, _path(ctx, poll), members_only=poll.voters is Voters.MEMBERS
    )
    try:
        ballots.cast_vote(ctx.db, poll=poll, voter=user, eligible=eligible, choices=choices, ranks=ranks)
    except FormInvalid as exc:
        ctx.db.rollback()
        return _page(
            ctx, poll, thread, status_code=400, errors=exc.errors, typed_choices=choices, typed_ranks=ranks
        )
    return ctx.redirect(_home(poll, thread))


def _typed_ranks(ctx: Context) -> dict[str, str]:
    return {
        name.removeprefix("rank-"): values[0] for name, values in ctx.form.items() if name.startswith("rank-")
    }


@view
def close(ctx: Context) -> Response:
    poll = _load(ctx, for_update=True)
    thread = _thread(ctx, poll)
    user = ctx.require_login()
    on_thread = thread is not None
    ctx.require(
        policy.may_close_poll(
            ctx.actor, _path(ctx, poll), created_by_id=poll.created_by_id, on_thread=on_thread
        )
    )
    if polls.settle(ctx.db, poll):
        return ctx.redirect(_home(poll, thread))
    if poll.state is PollState.CLOSED:
        raise Conflict(_("This poll is closed already."))
    polls.close_poll(ctx.db, poll=poll, actor=user, early=True)
    return ctx.redirect(_home(poll, thread))


# ---------------------------------------------------------------- making a poll


def _where(ctx: Context) -> polls.Where:
    """Where the new poll goes, from ?thread= or ?org= (or the same hidden fields), once the
    policy has allowed it."""
    ctx.require_login()
    thread_raw = ctx.query("thread") or ctx.field("thread")
    if thread_raw:
        thread_id = _int(thread_raw)
        thread = ctx.site.find_thread(ctx, thread_id) if thread_id is not None else None
        if thread is None:
            raise HTTPException(404)
        path = ctx.tree.path(thread.organization_id)
        ctx.require(
            policy.may_create_poll(ctx.actor, path, on_thread=True, thread_author_id=thread.author_id)
        )
        return polls.Where(thread.organization_id, ctx.tree.by_id[thread.organization_id].timezone, thread)
    try:
        org = ctx.tree.by_slug(ctx.query("org") or ctx.field("org"))
    except NotFound as exc:
        raise HTTPException(404) from exc
    ctx.require(policy.may_create_poll(ctx.actor, ctx.tree.path(org.id), on_thread=False))
    return polls.Where(org.id, org.timezone)


def _int(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


@view
def new(ctx: Context) -> Response:
    where = _where(ctx)
    closes = (utcnow() + timedelta(days=7)).astimezone(ZoneInfo(where.timezone)).strftime("%Y-%m-%dT%H:%M")
    typed = {
        name: ctx.field(name, DEFAULTS.get(name, closes if name == "closes_at" else "")) for name in FIELDS
    }
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        try:
            made = polls.create_poll(ctx.db, actor=ctx.require_login(), where=where, typed=typed)
            return ctx.redirect(_home(made, where.thread))
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    return ctx.render(
        "polls/new.html", status_code=400 if errors else 200, where=where, typed=typed, errors=errors,
        org=ctx.tree.by_id[where.organization_id], kinds=_kinds(), methods=_methods(),
        voter_choices=[(Voters.MEMBERS.value, _("Members of the organization")),
                       (Voters.SIGNED_IN.value, _("Everyone signed in"))],
        shown_choices=[(Shown.AFTER_VOTING.value, _("To each person after voting, to all at the close")),
                       (Shown.AT_CLOSE.value, _("Only when the poll closes"))],
    )  # fmt: skip


def _kinds() -> list[tuple[str, str]]:
    return [(PollKind.SINGLE.value, _("Single choice")), (PollKind.MULTIPLE.value, _("Multiple choice")),
            (PollKind.RANKED.value, _("Ranked choice"))]  # fmt: skip


def _methods() -> list[tuple[str, str]]:
    return [(Method.SCHULZE.value, _("Schulze method (Condorcet): one order of all options")),
            (Method.IRV.value, _("Instant run-off: one winner")),
            (Method.STV.value, _("Single transferable vote: several seats"))]  # fmt: skip


# ---------------------------------------------------------------- the section of a thread's page


def thread_section(ctx: Context, thread: ThreadRef) -> Markup:
    poll = polls.poll_of_thread(ctx.db, thread.id)
    if poll is None:
        path = ctx.tree.path(thread.organization_id)
        if ctx.user and policy.may_create_poll(
            ctx.actor, path, on_thread=True, thread_author_id=thread.author_id
        ):
            template = ctx.site.templates.get_template("polls/_add.html")
            return Markup(template.render(ctx=ctx, thread=thread))  # noqa: S704
        return Markup("")
    return render_poll(ctx, _settled(ctx, poll), thread)


SECTION = ThreadSection(render=thread_section, stamp=thread_stamps.thread_stamp)

routes = [
    Route("/new", new, methods=["GET", "POST"], name="new"),
    Route("/{poll_id}", show, methods=["GET"], name="poll"),
    Route("/{poll_id}/vote", vote, methods=["POST"], name="vote"),
    Route("/{poll_id}/close", close, methods=["POST"], name="close"),
]
