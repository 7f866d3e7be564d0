"""The public log, the administrator's watched words, and each organization's numbers."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response

from grassroots import audit, policy
from grassroots.audit import AuditAction
from grassroots.errors import DomainError, FormInvalid, NotFound
from grassroots.i18n import gettext as _
from grassroots.numbers import to_int
from grassroots.web import Context, view

from . import log, pages, rules
from .models import WordAction

# ---------------------------------------------------------------- the public log


@view
def log_page(ctx: Context) -> Response:
    ctx.require(policy.may_read_public(ctx.actor))
    page = to_int(ctx.query("page"), digits=9) or 1
    entries, total = log.entries(ctx.db, page=page)
    return ctx.render(
        "moderation/log.html",
        entries=entries,
        page=page,
        pages=max(1, -(-total // log.PER_PAGE)),
        orgs=ctx.tree.by_id,
        **pages.HELPERS,
    )


# ---------------------------------------------------------------- watched words and numbers


@view
def words_page(ctx: Context) -> Response:
    admin = ctx.require_login()
    ctx.require(policy.may_manage_site(ctx.actor))
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        try:
            if (word_id := to_int(ctx.field("remove"))) is not None:
                rules.remove_word(ctx.db, actor=admin, word_id=word_id)
            else:
                rules.add_word(ctx.db, actor=admin, word=ctx.field("word"), action=ctx.field("action"))
            return ctx.redirect("/moderation/words")
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
        except NotFound as exc:
            raise HTTPException(404, exc.message) from exc
    return ctx.render(
        "moderation/words.html",
        status_code=400 if errors else 200,
        words=rules.list_words(ctx.db),
        actions=[
            (WordAction.BLOCK.value, _("Refuse the text")),
            (WordAction.HOLD.value, _("Hold for review")),
            (WordAction.REPLACE.value, _("Replace with ＊＊")),
        ],  # fmt: skip
        errors=errors,
        typed=ctx.field("word"),
        chosen=ctx.field("action"),
    )


@view
def numbers_page(ctx: Context) -> Response:
    actor = ctx.require_login()
    try:
        org = ctx.tree.by_slug(str(ctx.request.path_params["slug"]))
    except DomainError as exc:
        raise HTTPException(404) from exc
    ctx.require(policy.may_run_organization(ctx.actor, ctx.tree.path(org.id)))
    errors: dict[str, str] = {}
    current = rules.numbers_for(ctx.db, org.id)
    values: dict[str, Any] = {
        "held_first_posts": current.held_first_posts,
        "flag_threshold": current.flag_threshold,
    }
    if ctx.request.method == "POST":
        values = {
            "held_first_posts": ctx.field("held_first_posts"),
            "flag_threshold": ctx.field("flag_threshold"),
        }
        held, threshold = ctx.int_field("held_first_posts"), ctx.int_field("flag_threshold")
        try:
            rules.set_numbers(ctx.db, org.id, held_first_posts=-1 if held is None else held,
                              flag_threshold=0 if threshold is None else threshold)  # fmt: skip
            audit.record(
                ctx.db,
                actor=actor,
                action=AuditAction.MODERATION_RULES_UPDATE,
                subject=("organization", org.id),
                organization_id=org.id,
                data={"held_first_posts": held, "flag_threshold": threshold},
            )
            return ctx.redirect(f"/moderation/rules/{org.slug}")
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    return ctx.render("moderation/numbers.html", status_code=400 if errors else 200, org=org, values=values,
                      errors=errors)  # fmt: skip
