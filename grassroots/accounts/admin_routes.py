"""The site administrator's pages: organizations, roles and administrators."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from grassroots import policy
from grassroots.accounts import organizations as orgs
from grassroots.accounts import services
from grassroots.accounts.labels import role_label
from grassroots.accounts.models import Role, User
from grassroots.errors import FormInvalid
from grassroots.i18n import gettext as _
from grassroots.web import Context, view

ROLE_CHOICES = {"none": None, **{role.name.lower(): role for role in Role}}


def _admin(ctx: Context) -> User:
    ctx.require(policy.may_manage_site(ctx.actor))
    assert ctx.user is not None
    return ctx.user


def _role_options() -> list[tuple[str, str]]:
    return [(name, role_label(role) if role else _("no role")) for name, role in ROLE_CHOICES.items()]


def _overview(
    ctx: Context,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    return ctx.render(
        "admin/overview.html",
        status_code=status_code,
        rows=ctx.tree.flat(),
        errors=errors or {},
        values=values or {},
        role_options=_role_options(),
        notice=ctx.query("done"),
        admins=services.list_admins(ctx.db),
    )


@view
def overview(ctx: Context) -> Response:
    _admin(ctx)
    return _overview(ctx)


def _parent_id(ctx: Context) -> int | None:
    raw = ctx.field("parent_id")
    if not raw:
        return None
    parent_id = ctx.int_field("parent_id")
    if parent_id is None:
        raise FormInvalid({"parent_id": _("Please choose an organization from the list.")})
    return parent_id


@view
def create_org(ctx: Context) -> Response:
    actor = _admin(ctx)
    values = {k: ctx.field(k) for k in ("slug", "name", "parent_id", "description")}
    try:
        org = orgs.create_organization(
            ctx.db,
            actor=actor,
            slug=values["slug"],
            name=values["name"],
            parent_id=_parent_id(ctx),
            description=values["description"],
        )
    except FormInvalid as exc:
        return _overview(ctx, 400, exc.errors, values)
    return ctx.redirect(f"/o/{org.slug}/")


@view
def edit_org(ctx: Context) -> Response:
    actor = _admin(ctx)
    # The mapped row, not the cached tree's node: this view changes it.
    org = orgs.get_organization(ctx.db, ctx.path_int("org_id"))
    if ctx.request.method == "GET":
        values = {
            "slug": org.slug,
            "name": org.name,
            "parent_id": str(org.parent_id or ""),
            "description": org.description,
        }
        return ctx.render("admin/org_edit.html", org=org, values=values, errors={}, rows=ctx.tree.flat())
    values = {k: ctx.field(k) for k in ("slug", "name", "parent_id", "description")}
    try:
        orgs.update_organization(
            ctx.db,
            actor=actor,
            org=org,
            slug=values["slug"],
            name=values["name"],
            parent_id=_parent_id(ctx),
            description=values["description"],
        )
    except FormInvalid as exc:
        return ctx.render(
            "admin/org_edit.html",
            status_code=400,
            org=org,
            values=values,
            errors=exc.errors,
            rows=ctx.tree.flat(),
        )
    return ctx.redirect("/admin/?done=org")


@view
def set_role(ctx: Context) -> Response:
    actor = _admin(ctx)
    values = {k: ctx.field(k) for k in ("username", "organization_id", "role")}
    errors: dict[str, str] = {}
    user = (
        services.get_user_by_username(ctx.db, values["username"]) if len(values["username"]) <= 64 else None
    )
    if user is None:
        errors["username"] = _("There is no account with that username.")
    org = ctx.tree.by_id.get(ctx.int_field("organization_id") or 0)
    if org is None:
        errors["organization_id"] = _("Please choose an organization from the list.")
    if values["role"] not in ROLE_CHOICES:
        errors["role"] = _("Please choose a role from the list.")
    if errors:
        return _overview(ctx, 400, errors, values)
    assert user is not None and org is not None
    orgs.set_role(ctx.db, actor=actor, user=user, org=org, role=ROLE_CHOICES[values["role"]])
    return ctx.redirect("/admin/?done=role")


@view
def set_admin(ctx: Context) -> Response:
    actor = _admin(ctx)
    values = {"admin_username": ctx.field("admin_username")}
    name = values["admin_username"]
    user = services.get_user_by_username(ctx.db, name) if len(name) <= 64 else None
    if user is None:
        return _overview(ctx, 400, {"admin_username": _("There is no account with that username.")}, values)
    make_admin = ctx.field("make_admin") == "yes"
    if not make_admin and user.id == actor.id:
        return _overview(
            ctx, 400, {"admin_username": _("You cannot remove your own administrator rights.")}, values
        )
    services.set_admin(ctx.db, actor=actor, user=user, is_admin=make_admin)
    return ctx.redirect("/admin/?done=admin")


routes = [
    Route("/", overview, methods=["GET"], name="overview"),
    Route("/orgs", create_org, methods=["POST"], name="create_org"),
    Route("/orgs/{org_id}", edit_org, methods=["GET", "POST"], name="edit_org"),
    Route("/roles", set_role, methods=["POST"], name="set_role"),
    Route("/admins", set_admin, methods=["POST"], name="set_admin"),
]
