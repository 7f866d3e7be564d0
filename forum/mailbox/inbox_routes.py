"""The secretary's pages: the inbox, one letter with its workflow, and the organization's
deadline and holidays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from grassroots import policy
from grassroots.accounts.models import User
from grassroots.accounts.tree import OrgNode
from grassroots.errors import DomainError, FormInvalid, NotFound
from grassroots.web import Context, view

from . import clock, deadlines, handling, inbox, labels, publication, redaction, workflow
from .models import Letter, Status
from .routes import letter_view, notifier_for, page_number, render

TYPED = ("status", "reason", "reply", "note", "target", "transfer_note", "days", "extension_reason")


def _filters(ctx: Context) -> inbox.Filters:
    org = ctx.tree.by_slug_map.get(ctx.query("org"))
    return inbox.Filters(
        status=ctx.query("status"),
        category=ctx.query("category"),
        organization_id=org.id if org else None,
        overdue=ctx.query("overdue") == "1",
        oldest_first=ctx.query("order") == "oldest",
        page=page_number(ctx),
    )


@view
def inbox_page(ctx: Context) -> Response:
    ctx.require_login()
    org_ids = inbox.answerable_orgs(ctx.actor, ctx.tree)
    ctx.require(bool(org_ids))
    filters = _filters(ctx)
    letters, has_more = inbox.list_letters(ctx.db, org_ids, filters)
    query = {k: v for k, v in ctx.request.query_params.items() if k != "page"}
    return render(
        ctx,
        "mailbox/inbox.html",
        letters=letters,
        has_more=has_more,
        filters=filters,
        org_choices=[(o.slug, "\u3000" * d + o.name) for o, d in ctx.tree.flat() if o.id in org_ids],
        tree=ctx.tree,
        query=urlencode(query),
        is_overdue=clock.is_overdue,
        due_day_of=lambda letter: _due_day(ctx, letter),
    )


def _due_day(ctx: Context, letter: Letter) -> str:
    if letter.due_at is None or letter.status not in workflow.CLOCK_RUNNING:
        return ""
    return deadlines.due_day(letter.due_at, ctx.tree.by_id[letter.organization_id].timezone).isoformat()


def _answerable_letter(ctx: Context) -> Letter:
    # Acts lock the row: two secretaries at once are served one after the other.
    locking = ctx.request.method == "POST"
    letter = ctx.db.get(Letter, ctx.path_int("letter_id"), with_for_update=locking)
    if letter is None:
        raise HTTPException(404)
    ctx.require(policy.may_answer_letters(ctx.actor, ctx.tree.path(letter.organization_id)))
    return letter


def _secretary_page(ctx: Context, letter: Letter, status_code: int = 200, **values: Any) -> Response:
    values.setdefault("errors", {})
    values.setdefault("message", "")
    for name in TYPED:
        values.setdefault(name, "")
    writer = ctx.db.get(User, letter.writer_id) if letter.writer_id else None
    return render(
        ctx,
        "mailbox/inbox_letter.html",
        status_code,
        writer=writer,
        move_options=[
            (s.value, labels.status_label(s)) for s in Status if workflow.may_move(letter.status, s)
        ],
        may_reply=letter.status in workflow.REPLYABLE,
        may_publish=publication.may_publish(letter),
        may_transfer=letter.status in workflow.TRANSFERABLE,
        may_extend=not letter.extension_days and letter.status in workflow.CLOCK_RUNNING | {Status.WAITING},
        target_options=[
            (str(i), ctx.tree.by_id[i].name)
            for i in handling.transfer_targets(ctx.tree, letter.organization_id)
        ],
        code="",
        **letter_view(ctx, letter, internal=True),
        **values,
    )


@view
def letter_page(ctx: Context) -> Response:
    return _secretary_page(ctx, _answerable_letter(ctx))


def _act(ctx: Context, act: Callable[[Letter, User], None]) -> Response:
    letter = _answerable_letter(ctx)
    user = ctx.require_login()
    try:
        act(letter, user)
    except DomainError as exc:
        ctx.db.rollback()
        ctx.db.refresh(letter)
        errors = exc.errors if isinstance(exc, FormInvalid) else {}
        typed = {name: ctx.field(name) for name in TYPED}
        message = "" if errors else exc.message
        return _secretary_page(ctx, letter, exc.status_code, errors=errors, message=message, **typed)
    return ctx.redirect(f"/mailbox/inbox/{letter.id}")


@view
def change_status(ctx: Context) -> Response:
    return _act(
        ctx,
        lambda letter, user: handling.change_status(
            ctx.db,
            notifier_for(ctx),
            ctx.tree,
            letter,
            actor=user,
            target=ctx.field("status"),
            reason=ctx.field("reason"),
        ),
    )


@view
def reply(ctx: Context) -> Response:
    return _act(
        ctx,
        lambda letter, user: handling.reply(
            ctx.db, notifier_for(ctx), ctx.tree, letter, actor=user, body=ctx.field("reply")
        ),
    )


@view
def note(ctx: Context) -> Response:
    return _act(
        ctx, lambda letter, user: handling.add_note(ctx.db, letter, actor=user, body=ctx.field("note"))
    )


@view
def transfer(ctx: Context) -> Response:
    return _act(
        ctx,
        lambda letter, user: handling.transfer(
            ctx.db,
            notifier_for(ctx),
            ctx.tree,
            letter,
            actor=user,
            target_id=ctx.int_field("target"),
            note=ctx.field("transfer_note"),
        ),
    )


@view
def extend(ctx: Context) -> Response:
    return _act(
        ctx,
        lambda letter, user: handling.extend_deadline(
            ctx.db,
            notifier_for(ctx),
            ctx.tree,
            letter,
            actor=user,
            days=ctx.int_field("days"),
            reason=ctx.field("extension_reason"),
        ),
    )


routes = [
    Route("/inbox", inbox_page, name="inbox"),
    Route("/inbox/{letter_id}", letter_page, name="inbox_letter"),
    Route("/inbox/{letter_id}/status", change_status, methods=["POST"], name="status"),
    Route("/inbox/{letter_id}/reply", reply, methods=["POST"], name="reply"),
    Route("/inbox/{letter_id}/note", note, methods=["POST"], name="note"),
    Route("/inbox/{letter_id}/transfer", transfer, methods=["POST"], name="transfer"),
    Route("/inbox/{letter_id}/extend", extend, methods=["POST"], name="extend"),
]


def _settings_form(ctx: Context, org: OrgNode, status_code: int = 200, **values: Any) -> Response:
    values.setdefault("errors", {})
    values.setdefault("reply_days", str(clock.reply_days_for(ctx.db, org.id)))
    values.setdefault(
        "holidays",
        "\n".join(f"{h.day.isoformat()} {h.name}".strip() for h in clock.list_holidays(ctx.db, org.id)),
    )
    return render(ctx, "mailbox/settings.html", status_code, org=org, **values)


@view
def mailbox_settings(ctx: Context) -> Response:
    try:
        org = ctx.tree.by_slug(str(ctx.request.path_params["org"]))
    except NotFound as exc:
        raise HTTPException(404) from exc
    ctx.require(policy.may_answer_letters(ctx.actor, ctx.tree.path(org.id)))
    if ctx.request.method == "GET":
        return _settings_form(ctx, org)
    user = ctx.require_login()
    try:
        clock.update_settings(
            ctx.db,
            actor=user,
            organization_id=org.id,
            reply_days=ctx.int_field("reply_days"),
            holidays_text=ctx.field("holidays"),
        )
    except FormInvalid as exc:
        ctx.db.rollback()
        typed = {"reply_days": ctx.field("reply_days"), "holidays": ctx.field("holidays")}
        return _settings_form(ctx, org, 400, errors=exc.errors, **typed)
    return ctx.redirect(f"/mailbox/settings/{org.slug}")


routes.append(Route("/settings/{org}", mailbox_settings, methods=["GET", "POST"], name="settings"))


def _publish_form(ctx: Context, letter: Letter, status_code: int = 200, **values: Any) -> Response:
    extra = ctx.field("extra_names")
    found = publication.candidates(ctx.db, letter, extra)
    chosen = ctx.fields("remove") if ctx.request.method == "POST" else found
    chosen = [*chosen, *redaction.split_names(extra)]
    subject, body_html, reply_html = publication.preview(ctx.db, letter, chosen)
    values.setdefault("message", "")
    return render(
        ctx,
        "mailbox/publish.html",
        status_code,
        letter=letter,
        found=found,
        chosen=set(chosen),
        extra_names=extra,
        preview_subject=subject,
        preview_body=body_html,
        preview_reply=reply_html,
        may_publish=publication.may_publish(letter),
        **values,
    )


@view
def publish(ctx: Context) -> Response:
    letter = _answerable_letter(ctx)
    if ctx.request.method == "GET" or ctx.field("action") == "preview":
        return _publish_form(ctx, letter)
    user = ctx.require_login()
    chosen = [*ctx.fields("remove")[:100], *redaction.split_names(ctx.field("extra_names"))]
    try:
        publication.publish(ctx.db, letter, actor=user, chosen=chosen)
    except DomainError as exc:
        ctx.db.rollback()
        ctx.db.refresh(letter)
        return _publish_form(ctx, letter, exc.status_code, message=exc.message)
    return ctx.redirect(f"/mailbox/inbox/{letter.id}")


routes.append(Route("/inbox/{letter_id}/publish", publish, methods=["GET", "POST"], name="publish"))
