"""The pages of the people moderation touches: flagging a post, appealing a decision, a
sanction, and the appeals a moderator answers."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response

from grassroots import policy
from grassroots.accounts.models import User
from grassroots.errors import FormInvalid
from grassroots.i18n import gettext as _
from grassroots.numbers import to_int
from grassroots.web import Context, view

from . import appeals, flags, pages, queue, sanctions
from .models import FlagReason, ItemState
from .registry import adapter_for

# ---------------------------------------------------------------- flags


@view
def flag_page(ctx: Context) -> Response:
    user = ctx.require_login()
    kind, content_id = pages.content_ref(ctx)
    item_view = adapter_for(kind).describe(ctx.db, content_id)
    if item_view is None or not item_view.public:
        raise HTTPException(404, _("There is no such post to flag."))
    ctx.require(policy.may_post(ctx.actor, ctx.tree.path(item_view.organization_id)))
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        try:
            flags.flag(ctx.db, kind=kind, item_id=content_id, user=user, reason=ctx.field("reason"),
                       note=ctx.field("note"))  # fmt: skip
            return ctx.render("moderation/flagged.html", view=item_view)
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    return ctx.render(
        "moderation/flag.html",
        status_code=400 if errors else 200,
        kind=kind,
        content_id=content_id,
        view=item_view,
        reasons=[(r.value, flags.reason_label(r)) for r in FlagReason],
        errors=errors,
        chosen=ctx.field("reason"),
        note=ctx.field("note"),
    )


# ---------------------------------------------------------------- appeals and sanctions


@view
def appeal_page(ctx: Context) -> Response:
    user = ctx.require_login()
    subject, subject_id, decision_text = _appealed(ctx, user)
    errors: dict[str, str] = {}
    existing = appeals.appeal_of(ctx.db, subject, subject_id)
    if ctx.request.method == "POST":
        try:
            existing = appeals.appeal(
                ctx.db, user=user, subject=subject, subject_id=subject_id, text=ctx.field("text")
            )
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    return ctx.render(
        "moderation/appeal.html",
        status_code=400 if errors else 200,
        subject=subject,
        subject_id=subject_id,
        decision_text=decision_text,
        existing=existing,
        kind=ctx.query("kind") or ctx.field("kind"),
        content_id=ctx.query("id") or ctx.field("id"),
        errors=errors,
        text=ctx.field("text"),
    )


def _appealed(ctx: Context, user: User) -> tuple[str, int, str]:
    """What is appealed: a rejected item (?kind=&id=) or a sanction (?sanction=)."""
    raw = ctx.query("sanction") or ctx.field("sanction")
    if raw:
        number = to_int(raw)
        if number is None:
            raise HTTPException(404)
        entry = sanctions.get_sanction(ctx.db, number)
        if entry.user_id != user.id:
            raise HTTPException(404)
        return appeals.SANCTION, entry.id, entry.reason
    kind, content_id = pages.content_ref(ctx)
    item = queue.item_for_content(ctx.db, kind, content_id)
    if item is None or item.author_id != user.id or item.state is not ItemState.REJECTED:
        raise HTTPException(404, _("There is no rejection of yours to appeal here."))
    return appeals.ITEM, item.id, item.decision_reason


@view
def sanction_page(ctx: Context) -> Response:
    user = ctx.require_login()
    entry = sanctions.get_sanction(ctx.db, ctx.path_int("sanction_id"))
    if entry.user_id != user.id:
        pages.require_moderates(ctx, entry.organization_id)
    return ctx.render(
        "moderation/sanction.html",
        entry=entry,
        tz=pages.timezone_of(ctx, entry.organization_id),
        appeal=appeals.appeal_of(ctx.db, appeals.SANCTION, entry.id),
        mine=entry.user_id == user.id,
    )


@view
def appeals_page(ctx: Context) -> Response:
    moderator = ctx.require_login()
    orgs = [o.id for o in pages.moderated(ctx)]
    errors: dict[str, str] = {}
    message = ""
    if ctx.request.method == "POST":
        entry = ctx.db.get(appeals.Appeal, ctx.int_field("appeal") or 0)
        if entry is None or entry.organization_id not in orgs:
            raise HTTPException(404, _("There is no such appeal."))
        try:
            appeals.decide(ctx.db, pages.notifier(ctx), entry=entry, moderator=moderator,
                           overturn=ctx.field("overturn") == "1", reason=ctx.field("reason"))  # fmt: skip
            message = _("The appeal is answered; the person was told.")
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    listed = appeals.open_appeals(ctx.db, orgs, moderator)
    return ctx.render(
        "moderation/appeals.html",
        appeals=listed,
        authors=pages.names(ctx, [a.user_id for a in listed]),
        orgs=ctx.tree.by_id,
        errors=errors,
        message=message,
        typed_reason=ctx.field("reason"),
    )
