"""The queue and its decisions, and one item with every action a moderator may take on it."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response

from grassroots.accounts.models import User
from grassroots.errors import Conflict, FormInvalid
from grassroots.i18n import gettext as _
from grassroots.numbers import to_int
from grassroots.web import Context, view

from . import appeals, flags, log, pages, queue, sanctions
from .models import HoldReason, QueueItem, SanctionKind
from .registry import adapter_for, known

# ---------------------------------------------------------------- the queue


@view
def queue_page(ctx: Context) -> Response:
    return _queue(ctx)


def _queue(ctx: Context, message: str = "", errors: dict[str, str] | None = None) -> Response:
    orgs = pages.moderated(ctx)
    org_ids = [o.id for o in orgs]
    chosen = ctx.query("org")
    org_filter = next((o.id for o in orgs if o.slug == chosen), None)
    hours = ctx.query("age")
    filters = queue.Filters(
        organization_id=org_filter,
        place=ctx.query("place"),
        reason=ctx.query("reason"),
        older_than_hours=to_int(hours, digits=6),
    )
    page = to_int(ctx.query("page"), digits=9) or 1
    items, waiting, total = queue.open_items(ctx.db, org_ids, filters, page=page)
    views = queue.describe_items(ctx.db, items)
    authors = pages.names(ctx, [item.author_id for item in items if item.author_id is not None])
    moderator = ctx.require_login()
    return ctx.render(
        "moderation/queue.html",
        status_code=400 if errors else 200,
        orgs=orgs,
        org_options=[(o.slug, o.name) for o in orgs],
        place_options=[(p, p) for p in waiting.places],
        filters=filters,
        chosen_org=chosen,
        items=items,
        views=views,
        authors=authors,
        total=total,
        page=page,
        pages=max(1, -(-total // queue.PER_PAGE)),
        summary=waiting,
        reasons=[(r.value, pages.reason_label(r)) for r in HoldReason],
        open_appeals=len(appeals.open_appeals(ctx.db, org_ids, moderator)),
        message=message,
        errors=errors or {},
        typed_reason=ctx.field("reason"),
        **pages.HELPERS,
    )


@view
def decide(ctx: Context) -> Response:
    """One item or several at once: each checked box is `id:version`, the version seen."""
    moderator = ctx.require_login()
    orgs = {o.id for o in pages.moderated(ctx)}
    try:
        decision = queue.Decision(ctx.field("decision"))
    except ValueError:
        raise HTTPException(400, _("Choose what to do with the items.")) from None
    chosen = [_parse_item(raw) for raw in ctx.fields("item")]
    if not chosen:
        return _back_to_queue(ctx, _("Tick at least one item first."))
    done, handled, errors = 0, 0, {}
    for item_id, version in chosen:
        item = ctx.db.get(QueueItem, item_id)
        if item is None or item.organization_id not in orgs or not known(item.kind):
            raise HTTPException(404, _("This item is not in the queues you moderate."))
        try:
            with ctx.db.begin_nested():
                queue.decide(
                    ctx.db, pages.notifier(ctx), item=item, seen_version=version, decision=decision,
                    moderator=moderator, reason=ctx.field("reason"),
                )  # fmt: skip
            done += 1
        except Conflict:
            handled += 1
        except FormInvalid as exc:
            errors = exc.errors
            break
    if errors:
        ctx.db.rollback()
        return _back_to_queue(ctx, "", errors)
    message = _("%(done)d item(s) %(what)s.", done=done, what=queue.decision_label(decision))
    if handled:
        message += " " + _("%(count)d item(s) had already been handled by another moderator.", count=handled)
    if ctx.field("back").startswith("/moderation/item"):
        return ctx.redirect(ctx.field("back") + ("&handled=1" if handled else ""))
    return _back_to_queue(ctx, message)


def _back_to_queue(ctx: Context, message: str, errors: dict[str, str] | None = None) -> Response:
    return _queue(ctx, message, errors)


def _parse_item(raw: str) -> tuple[int, int]:
    item_id, _sep, version = raw.partition(":")
    item_number, version_number = to_int(item_id), to_int(version)
    if item_number is None or version_number is None:
        raise HTTPException(400, _("This form was changed: reload the queue."))
    return item_number, version_number


# ---------------------------------------------------------------- one item


@view
def item_page(ctx: Context) -> Response:
    moderator = ctx.require_login()
    kind, content_id = pages.content_ref(ctx)
    adapter = adapter_for(kind)
    item_view = adapter.describe(ctx.db, content_id)
    if item_view is None:
        raise HTTPException(404, _("There is no such post."))
    pages.require_moderates(ctx, item_view.organization_id)
    errors: dict[str, str] = {}
    message = _("Another moderator had already handled this item.") if ctx.query("handled") else ""
    if ctx.request.method == "POST":
        try:
            message = _act_on_item(ctx, moderator, kind, content_id, item_view.organization_id)
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = dict(exc.errors)
            if "choice" in errors:  # beside the select of the action chosen
                errors[f"choice-{ctx.field('what')}"] = errors["choice"]
        else:
            item_view = adapter.describe(ctx.db, content_id) or item_view
    item = queue.item_for_content(ctx.db, kind, content_id)
    author = ctx.db.get(User, item_view.author_id) if item_view.author_id is not None else None
    return ctx.render(
        "moderation/item.html",
        status_code=400 if errors else 200,
        kind=kind,
        content_id=content_id,
        view=item_view,
        tz=pages.timezone_of(ctx, item_view.organization_id),
        item=item,
        author=author,
        record=sanctions.sanctions_of(ctx.db, author.id) if author else [],
        flags=flags.flags_on(ctx.db, kind, content_id),
        actions=adapter.actions(ctx.db, content_id),
        source=ctx.field("text") or adapter.source(ctx.db, content_id),
        acted=ctx.field("what") if errors else "",
        typed_reason=ctx.field("reason"),
        errors=errors,
        message=message,
        back=f"/moderation/item?kind={kind}&id={content_id}",
        **pages.HELPERS,
    )


def _act_on_item(ctx: Context, moderator: User, kind: str, content_id: int, organization_id: int) -> str:
    adapter, what, reason = adapter_for(kind), ctx.field("what"), ctx.field("reason")
    view_link = f"/moderation/item?kind={kind}&id={content_id}"
    if what == "hide":
        queue.hide_content(
            ctx.db, pages.notifier(ctx), kind=kind, content_id=content_id, moderator=moderator, reason=reason
        )
        return _("The post is hidden.")
    if what == "edit":
        reason = queue.check_reason(reason)
        adapter.edit(ctx.db, content_id, ctx.field("text"), moderator.id)
        log.record(ctx.db, moderator=moderator, action="edit", organization_id=organization_id, reason=reason,
                   kind=kind, item_id=content_id, link=view_link)  # fmt: skip
        return _("The post was changed; its earlier text is kept in its history.")
    if what in ("warn", "suspend"):
        days = ctx.field("days")
        sanctions.sanction(
            ctx.db, pages.notifier(ctx), moderator=moderator, username=ctx.field("username"),
            organization_id=organization_id,
            kind=SanctionKind.WARNING if what == "warn" else SanctionKind.SUSPENSION,
            reason=reason, days=to_int(days, digits=6),
        )  # fmt: skip
        return _("Done: the person was told.")
    if what in {a.name for a in adapter.actions(ctx.db, content_id)}:
        reason = queue.check_reason(reason)
        adapter.perform(ctx.db, content_id, what, ctx.field(f"choice-{what}") or ctx.field("choice"))
        log.record(ctx.db, moderator=moderator, action=what, organization_id=organization_id,
                   reason=reason, kind=kind, item_id=content_id, link=view_link)  # fmt: skip
        return _("Done.")
    raise HTTPException(400, _("Choose what to do with the items."))
