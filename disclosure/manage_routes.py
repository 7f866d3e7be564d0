"""The secretary's pages of the disclosure area: publish, revise, withdraw, and add media (a
candidate's photo and video, a notice's PDF files). Each asks the policy whether the person runs
the disclosure's organization; the public sees the result only through the public pages."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from grassroots import policy, uploads
from grassroots.accounts.tree import OrgNode
from grassroots.errors import Conflict, FormInvalid, NotFound
from grassroots.i18n import gettext as _
from grassroots.numbers import to_int
from grassroots.uploads import FileKind
from grassroots.web import Context, view

from . import forms, labels, publishing, reading
from .models import Disclosure, Kind, State
from .pages import KINDS, PATHS, link_of

VIDEO_KINDS = {FileKind.VIDEO}
PHOTO_KINDS = {FileKind.IMAGE}
PDF_KINDS = {FileKind.PDF}
ATTACHMENTS_MAX = 10


def _role(ctx: Context, organization_id: int) -> str:
    """How the public pages name whoever acted: by role, never by name."""
    level = ctx.actor.level_in(ctx.tree.path(organization_id))
    return "admin" if level is policy.Level.ADMIN else "secretary"


def _require_runs(ctx: Context, organization_id: int) -> None:
    ctx.require_login()
    ctx.require(policy.may_run_organization(ctx.actor, ctx.tree.path(organization_id)))


def _org(ctx: Context) -> OrgNode:
    try:
        return ctx.tree.by_slug(ctx.query("org") or ctx.field("org"))
    except NotFound as exc:
        raise HTTPException(404, exc.message) from exc


def _disclosure(ctx: Context) -> Disclosure:
    found = ctx.db.get(Disclosure, ctx.path_int("disclosure_id"))
    if found is None:
        raise HTTPException(404)
    _require_runs(ctx, found.organization_id)
    return found


def _typed(ctx: Context, kind: Kind) -> dict[str, str]:
    names = ["title", *(spec.name for spec in forms.FIELDS[kind])]
    return {name: ctx.field(name) for name in names}


@view
def new(ctx: Context) -> Response:
    org = _org(ctx)
    _require_runs(ctx, org.id)
    kind = KINDS.get(ctx.query("kind") or ctx.field("kind"))
    if kind is None:
        raise HTTPException(404)
    errors: dict[str, str] = {}
    typed = _typed(ctx, kind)
    if ctx.request.method == "POST":
        try:
            made = publishing.publish(
                ctx.db, actor=ctx.require_login(), role=_role(ctx, org.id), organization_id=org.id,
                kind=kind, typed=typed, publish_at=_moment(ctx, "publish_at", org),
                expires_at=_moment(ctx, "expires_at", org), publicity_days=forms.publicity_days(
                    ctx.field("publicity_days")), post_id=_post_of(ctx, org),
            )  # fmt: skip
            return ctx.redirect(link_of(made) + ("/media" if kind is not Kind.POST else ""))
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    return _form(ctx, org, kind, typed, errors, disclosure=None)


@view
def edit(ctx: Context) -> Response:
    disclosure = _disclosure(ctx)
    org = ctx.tree.by_id[disclosure.organization_id]
    if disclosure.state is State.WITHDRAWN:
        raise HTTPException(409, publishing.withdrawn_message())
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        typed = _typed(ctx, disclosure.kind)
        try:
            publishing.revise(
                ctx.db, disclosure=disclosure, actor=ctx.require_login(), role=_role(ctx, org.id),
                typed=typed, note=ctx.field("note"),
            )  # fmt: skip
            return ctx.redirect(link_of(disclosure))
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    else:
        values, _rendered = reading.current(ctx.db, disclosure)
        typed = {"title": disclosure.title, **forms.as_typed(values)}
    return _form(ctx, org, disclosure.kind, typed, errors, disclosure=disclosure)


def _form(
    ctx: Context, org: OrgNode, kind: Kind, typed: dict[str, str], errors: dict[str, str], *,
    disclosure: Disclosure | None,
) -> Response:  # fmt: skip
    return ctx.render(
        "disclosure/edit.html", status_code=400 if errors else 200, org=org, kind=kind, kind_path=PATHS[kind],
        typed=typed, errors=errors, d=disclosure, specs=forms.FIELDS[kind],
        extra={n: ctx.field(n) for n in ("publish_at", "expires_at", "publicity_days", "note", "post_id")},
        post_options=[(str(p.id), p.title) for p in _open_posts(ctx, org)],
        choices={name: [(c.value, labels.category_label(c)) for c in codes] for name, codes in
                 (("status", forms.PostStatus), ("category", forms.NoticeCategory))},
        **labels.HELPERS,
    )  # fmt: skip


def _open_posts(ctx: Context, org: OrgNode) -> list[Disclosure]:
    return reading.list_public(ctx.db, organization_ids=[org.id], kind=Kind.POST, per_page=100)[0]


def _moment(ctx: Context, name: str, org: OrgNode) -> Any:
    try:
        return forms.parse_moment(ctx.field(name), org.timezone)
    except ValueError:
        raise FormInvalid({name: _("A date and time like 2026-12-31 09:00.")}) from None


def _post_of(ctx: Context, org: OrgNode) -> int | None:
    raw = ctx.field("post_id")
    if not raw:
        return None
    number = to_int(raw, digits=11)
    post = ctx.db.get(Disclosure, number) if number is not None else None
    if post is None or post.kind is not Kind.POST or post.organization_id != org.id:
        raise FormInvalid({"post_id": _("Choose one of this organization's vacant posts.")})
    return post.id


@view
def withdraw(ctx: Context) -> Response:
    disclosure = _disclosure(ctx)
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        try:
            publishing.withdraw(
                ctx.db, disclosure=disclosure, actor=ctx.require_login(),
                role=_role(ctx, disclosure.organization_id), reason=ctx.field("reason"),
            )  # fmt: skip
            return ctx.redirect(link_of(disclosure))
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
        except Conflict as exc:
            raise HTTPException(409, exc.message) from exc
    return ctx.render(
        "disclosure/withdraw.html", status_code=400 if errors else 200, d=disclosure, errors=errors,
        reason=ctx.field("reason"), link_of=link_of, **labels.HELPERS,
    )  # fmt: skip


@view
def media(ctx: Context) -> Response:
    """Photo and video of a candidate, PDF files of a notice: each upload is a new revision."""
    disclosure = _disclosure(ctx)
    if disclosure.kind is Kind.POST:
        raise HTTPException(404)
    if disclosure.state is State.WITHDRAWN:
        raise HTTPException(409, publishing.withdrawn_message())
    errors: dict[str, str] = {}
    values, _rendered = reading.current(ctx.db, disclosure)
    if ctx.request.method == "POST":
        try:
            added = _stored_media(ctx, disclosure, values)
            if added:
                typed = {"title": disclosure.title, **forms.as_typed(values)}
                publishing.revise(
                    ctx.db, disclosure=disclosure, actor=ctx.require_login(),
                    role=_role(ctx, disclosure.organization_id), typed=typed, media=added,
                    note=ctx.field("note") or _("Media added."),
                )  # fmt: skip
            return ctx.redirect(link_of(disclosure))
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    return ctx.render(
        "disclosure/media.html", status_code=400 if errors else 200, d=disclosure, values=values,
        errors=errors, link_of=link_of, max_mb=ctx.settings.max_upload_bytes // (1024 * 1024),
        **labels.HELPERS,
    )  # fmt: skip


def _stored_media(ctx: Context, disclosure: Disclosure, values: dict[str, Any]) -> dict[str, Any]:
    def store(field: str, allowed: set[FileKind]) -> uploads.StoredFile | None:
        upload = ctx.files.get(field)
        if upload is None or not upload.data:
            return None
        return uploads.store(
            ctx.db, ctx.settings.data_dir, field=field, filename=upload.filename, data=upload.data,
            allowed=allowed, max_bytes=ctx.settings.max_upload_bytes,
        )  # fmt: skip

    added: dict[str, Any] = {}
    if disclosure.kind is Kind.CANDIDATE:
        for field, allowed in (("photo", PHOTO_KINDS), ("video", VIDEO_KINDS)):
            stored = store(field, allowed)
            if stored is not None:
                added[field] = stored.name
    else:
        stored = store("attachment", PDF_KINDS)
        if stored is not None:
            present = list(values.get("attachments", []))
            if len(present) >= ATTACHMENTS_MAX:
                raise FormInvalid({"attachment": _("At most %(max)d files.", max=ATTACHMENTS_MAX)})
            added["attachments"] = [*present, {"name": stored.name, "filename": stored.original_name}]
    return added


routes = [
    Route("/new", new, methods=["GET", "POST"], name="new"),
    Route("/edit/{disclosure_id}", edit, methods=["GET", "POST"], name="edit"),
    Route("/withdraw/{disclosure_id}", withdraw, methods=["GET", "POST"], name="withdraw"),
    # The path ends in /media: settings.body_limit lets these forms carry large files.
    Route("/upload/{disclosure_id}/media", media, methods=["GET", "POST"], name="media"),
]
