"""Moderation pages: the queue and its decisions, one item with every action, flags, appeals,
sanctions, watched words, each organization's numbers, and the public log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from grassroots import audit, policy
from grassroots.accounts.models import User
from grassroots.accounts.tree import OrgNode
from grassroots.audit import AuditAction
from grassroots.errors import Conflict, DomainError, FormInvalid, NotFound
from grassroots.i18n import gettext as _
from grassroots.notifications import Notifier
from grassroots.web import Context, view

from . import appeals, flags, log, queue, rules, sanctions
from .models import FlagReason, HoldReason, ItemState, QueueItem, SanctionKind, WordAction
from .registry import adapter_for, known


def _notifier(ctx: Context) -> Notifier:
    return Notifier(ctx.settings.site_url, ctx.settings.mail_enabled)


def _moderated(ctx: Context) -> list[OrgNode]:
    """The organizations the person may moderate; none means the page is not theirs."""
    ctx.require_login()
    orgs = [
        node for node, _depth in ctx.tree.flat() if policy.may_moderate(ctx.actor, ctx.tree.path(node.id))
    ]
    ctx.require(bool(orgs))
    return orgs


def _require_moderates(ctx: Context, organization_id: int) -> None:
    ctx.require(policy.may_moderate(ctx.actor, ctx.tree.path(organization_id)))


def reason_label(reason: HoldReason | str) -> str:
    return {
        HoldReason.NEW_ACCOUNT: _("New account"),
        HoldReason.WATCHED_WORD: _("Watched word"),
        HoldReason.LINK: _("Link from a new account"),
        HoldReason.FLAGGED: _("Flagged"),
        HoldReason.RESUBMITTED: _("Changed after review"),
    }[HoldReason(reason)]


def action_label(action: str) -> str:
    labels = {
        "approve": _("Approved"), "reject": _("Rejected"), "hide": _("Hidden"), "unhide": _("Shown again"),
        "edit": _("Edited"), "warn": _("Warned a person"), "suspend": _("Suspended a person"),
        "lift": _("Lifted a suspension"), "lock": _("Locked a thread"), "unlock": _("Unlocked a thread"),
        "pin": _("Pinned a thread"), "unpin": _("Unpinned a thread"), "feature": _("Featured a thread"),
        "unfeature": _("Took a thread out of the featured"), "move": _("Moved a thread"),
        "slow_mode": _("Set slow mode"), "appeal_granted": _("Granted an appeal"),
        "appeal_refused": _("Refused an appeal"),
    }  # fmt: skip
    return labels.get(action, action)


def role_label(role: str) -> str:
    return {"admin": _("administrator"), "secretary": _("secretary")}.get(role, _("moderator"))


HELPERS = {"reason_label": reason_label, "action_label": action_label, "role_label": role_label,
           "flag_label": flags.reason_label}  # fmt: skip


# ---------------------------------------------------------------- the queue


@view
def queue_page(ctx: Context) -> Response:
    return _queue(ctx)


def _queue(ctx: Context, message: str = "", errors: dict[str, str] | None = None) -> Response:
    orgs = _moderated(ctx)
    org_ids = [o.id for o in orgs]
    chosen = ctx.query("org")
    org_filter = next((o.id for o in orgs if o.slug == chosen), None)
    hours = ctx.query("age")
    filters = queue.Filters(
        organization_id=org_filter,
        place=ctx.query("place"),
        reason=ctx.query("reason"),
        older_than_hours=int(hours) if hours.isdigit() else None,
    )
    page = max(1, int(ctx.query("page")) if ctx.query("page").isdigit() else 1)
    items, total = queue.open_items(ctx.db, org_ids, filters, page=page)
    views = {
        item.id: adapter_for(item.kind).describe(ctx.db, item.item_id) for item in items if known(item.kind)
    }
    authors = _names(ctx, [item.author_id for item in items])
    moderator = ctx.require_login()
    return ctx.render(
        "moderation/queue.html",
        status_code=400 if errors else 200,
        orgs=orgs,
        org_options=[(o.slug, o.name) for o in orgs],
        place_options=[(p, p) for p in queue.places(ctx.db, org_ids)],
        filters=filters,
        chosen_org=chosen,
        items=items,
        views=views,
        authors=authors,
        total=total,
        page=page,
        pages=max(1, -(-total // queue.PER_PAGE)),
        summary=queue.summary(ctx.db, org_ids),
        reasons=[(r.value, reason_label(r)) for r in HoldReason],
        open_appeals=len(appeals.open_appeals(ctx.db, org_ids, moderator)),
        message=message,
        errors=errors or {},
        typed_reason=ctx.field("reason"),
        **HELPERS,
    )


@view
def decide(ctx: Context) -> Response:
    """One item or several at once: each checked box is `id:version`, the version seen."""
    moderator = ctx.require_login()
    orgs = {o.id for o in _moderated(ctx)}
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
                    ctx.db, _notifier(ctx), item=item, seen_version=version, decision=decision,
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
    if not (item_id.isdigit() and version.isdigit()):
        raise HTTPException(400, _("This form was changed: reload the queue."))
    return int(item_id), int(version)


def _names(ctx: Context, user_ids: list[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in ctx.db.scalars(select(User).where(User.id.in_(set(user_ids))))}


# ---------------------------------------------------------------- one item


def _content(ctx: Context) -> tuple[str, int]:
    kind, raw = ctx.query("kind") or ctx.field("kind"), ctx.query("id") or ctx.field("id")
    if not known(kind) or not raw.isdigit():
        raise HTTPException(404, _("There is no such post."))
    return kind, int(raw)


@view
def item_page(ctx: Context) -> Response:
    moderator = ctx.require_login()
    kind, content_id = _content(ctx)
    adapter = adapter_for(kind)
    item_view = adapter.describe(ctx.db, content_id)
    if item_view is None:
        raise HTTPException(404, _("There is no such post."))
    _require_moderates(ctx, item_view.organization_id)
    errors: dict[str, str] = {}
    message = _("Another moderator had already handled this item.") if ctx.query("handled") else ""
    if ctx.request.method == "POST":
        try:
            message = _act_on_item(ctx, moderator, kind, content_id, item_view.organization_id)
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
        else:
            item_view = adapter.describe(ctx.db, content_id) or item_view
    item = queue.item_for_content(ctx.db, kind, content_id)
    author = ctx.db.get(User, item_view.author_id)
    return ctx.render(
        "moderation/item.html",
        status_code=400 if errors else 200,
        kind=kind,
        content_id=content_id,
        view=item_view,
        item=item,
        author=author,
        record=sanctions.sanctions_of(ctx.db, item_view.author_id),
        flags=flags.flags_on(ctx.db, kind, content_id),
        actions=adapter.actions(ctx.db, content_id),
        source=ctx.field("text") or adapter.source(ctx.db, content_id),
        typed_reason=ctx.field("reason"),
        errors=errors,
        message=message,
        back=f"/moderation/item?kind={kind}&id={content_id}",
        **HELPERS,
    )


def _act_on_item(ctx: Context, moderator: User, kind: str, content_id: int, organization_id: int) -> str:
    adapter, what, reason = adapter_for(kind), ctx.field("what"), ctx.field("reason")
    view_link = f"/moderation/item?kind={kind}&id={content_id}"
    if what == "hide":
        queue.hide_content(
            ctx.db, _notifier(ctx), kind=kind, content_id=content_id, moderator=moderator, reason=reason
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
            ctx.db, _notifier(ctx), moderator=moderator, username=ctx.field("username"),
            organization_id=organization_id,
            kind=SanctionKind.WARNING if what == "warn" else SanctionKind.SUSPENSION,
            reason=reason, days=int(days) if days.isdigit() else None,
        )  # fmt: skip
        return _("Done: the person was told.")
    if what in {a.name for a in adapter.actions(ctx.db, content_id)}:
        reason = queue.check_reason(reason)
        adapter.perform(ctx.db, content_id, what, ctx.field("choice"))
        log.record(ctx.db, moderator=moderator, action=what, organization_id=organization_id,
                   reason=reason, kind=kind, item_id=content_id, link=view_link)  # fmt: skip
        return _("Done.")
    raise HTTPException(400, _("Choose what to do with the items."))


# ---------------------------------------------------------------- flags


@view
def flag_page(ctx: Context) -> Response:
    user = ctx.require_login()
    kind, content_id = _content(ctx)
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
        if not raw.isdigit():
            raise HTTPException(404)
        entry = sanctions.get_sanction(ctx.db, int(raw))
        if entry.user_id != user.id:
            raise HTTPException(404)
        return appeals.SANCTION, entry.id, entry.reason
    kind, content_id = _content(ctx)
    item = queue.item_for_content(ctx.db, kind, content_id)
    if item is None or item.author_id != user.id or item.state is not ItemState.REJECTED:
        raise HTTPException(404, _("There is no rejection of yours to appeal here."))
    return appeals.ITEM, item.id, item.decision_reason


@view
def sanction_page(ctx: Context) -> Response:
    user = ctx.require_login()
    entry = sanctions.get_sanction(ctx.db, ctx.path_int("sanction_id"))
    if entry.user_id != user.id:
        _require_moderates(ctx, entry.organization_id)
    return ctx.render(
        "moderation/sanction.html",
        entry=entry,
        appeal=appeals.appeal_of(ctx.db, appeals.SANCTION, entry.id),
        mine=entry.user_id == user.id,
    )


@view
def appeals_page(ctx: Context) -> Response:
    moderator = ctx.require_login()
    orgs = [o.id for o in _moderated(ctx)]
    errors: dict[str, str] = {}
    message = ""
    if ctx.request.method == "POST":
        entry = ctx.db.get(appeals.Appeal, ctx.int_field("appeal") or 0)
        if entry is None or entry.organization_id not in orgs:
            raise HTTPException(404, _("There is no such appeal."))
        try:
            appeals.decide(ctx.db, _notifier(ctx), entry=entry, moderator=moderator,
                           overturn=ctx.field("overturn") == "1", reason=ctx.field("reason"))  # fmt: skip
            message = _("The appeal is answered; the person was told.")
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    listed = appeals.open_appeals(ctx.db, orgs, moderator)
    return ctx.render(
        "moderation/appeals.html",
        appeals=listed,
        authors=_names(ctx, [a.user_id for a in listed]),
        errors=errors,
        message=message,
        typed_reason=ctx.field("reason"),
    )


# ---------------------------------------------------------------- the public log


@view
def log_page(ctx: Context) -> Response:
    ctx.require(policy.may_read_public(ctx.actor))
    page = max(1, int(ctx.query("page")) if ctx.query("page").isdigit() else 1)
    entries, total = log.entries(ctx.db, page=page)
    return ctx.render(
        "moderation/log.html",
        entries=entries,
        page=page,
        pages=max(1, -(-total // log.PER_PAGE)),
        orgs=ctx.tree.by_id,
        **HELPERS,
    )


# ---------------------------------------------------------------- watched words and numbers


@view
def words_page(ctx: Context) -> Response:
    admin = ctx.require_login()
    ctx.require(policy.may_manage_site(ctx.actor))
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        try:
            if ctx.field("remove").isdigit():
                rules.remove_word(ctx.db, actor=admin, word_id=int(ctx.field("remove")))
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


routes = [
    Route("/", queue_page, methods=["GET"], name="queue"),
    Route("/decide", decide, methods=["POST"], name="decide"),
    Route("/item", item_page, methods=["GET", "POST"], name="item"),
    Route("/flag", flag_page, methods=["GET", "POST"], name="flag"),
    Route("/appeal", appeal_page, methods=["GET", "POST"], name="appeal"),
    Route("/appeals", appeals_page, methods=["GET", "POST"], name="appeals"),
    Route("/sanctions/{sanction_id}", sanction_page, methods=["GET"], name="sanction"),
    Route("/log", log_page, methods=["GET"], name="log"),
    Route("/words", words_page, methods=["GET", "POST"], name="words"),
    Route("/rules/{slug}", numbers_page, methods=["GET", "POST"], name="numbers"),
]
