"""Register, log in and out, and the person's own page /me."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from grassroots import policy
from grassroots.accounts import organizations as orgs
from grassroots.accounts import services
from grassroots.accounts.models import User
from grassroots.errors import Conflict, FormInvalid, NotFound, Throttled
from grassroots.i18n import gettext as _
from grassroots.web import Context, view


def safe_next(target: str, default: str = "/") -> str:
    """Only a path on this site: never another host (//evil, /\\evil) after logging in."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _own_account(ctx: Context) -> User:
    """Everything under /me acts on the person's own account, and only they may."""
    user = ctx.require_login()
    ctx.require(policy.may_change_account(ctx.actor, user.id))
    return user


@view
def register(ctx: Context) -> Response:
    if ctx.user is not None:
        return ctx.redirect("/me")
    values = {"username": ctx.field("username"), "display_name": ctx.field("display_name")}
    next_path = safe_next(ctx.field("next") or ctx.query("next"), "/me")
    if ctx.request.method == "GET":
        return ctx.render("accounts/register.html", values=values, errors={}, next_path=next_path)
    try:
        user = services.create_user(
            ctx.db,
            ctx.site.passwords,
            username=values["username"],
            password=ctx.field("password"),
            display_name=values["display_name"],
        )
    except FormInvalid as exc:
        return ctx.render(
            "accounts/register.html", status_code=400, values=values, errors=exc.errors, next_path=next_path
        )
    ctx.login(user)
    return ctx.redirect(next_path)


@view
def login(ctx: Context) -> Response:
    if ctx.user is not None and ctx.request.method == "GET":
        return ctx.redirect("/me")
    values = {"username": ctx.field("username")}
    next_path = safe_next(ctx.field("next") or ctx.query("next"), "/")

    def form(status_code: int = 200, errors: dict[str, str] | None = None, alert: str = "") -> Response:
        return ctx.render(
            "accounts/login.html",
            status_code=status_code,
            values=values,
            errors=errors or {},
            alert=alert,
            next_path=next_path,
        )

    if ctx.request.method == "GET":
        return form()
    try:
        user = services.authenticate(
            ctx.db,
            ctx.site.passwords,
            ctx.settings,
            username=values["username"],
            password=ctx.field("password"),
            client_address=ctx.client_address,
        )
    except Throttled as exc:
        # Nothing the person typed is wrong, so no field is marked: the wait is the message.
        return form(429, alert=exc.message)
    except FormInvalid as exc:
        # Returned, not raised: the failed attempt must be committed to count.
        return form(400, exc.errors)
    ctx.login(user)
    return ctx.redirect(next_path)


@view
def logout(ctx: Context) -> Response:
    ctx.logout()
    return ctx.redirect("/")


def _me_page(
    ctx: Context,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    user = _own_account(ctx)
    assert ctx.auth_session is not None
    memberships = sorted(
        ((ctx.tree.by_id[org_id], role) for org_id, role in ctx.actor.roles.items()),
        key=lambda pair: pair[0].name,
    )
    return ctx.render(
        "accounts/me.html",
        status_code=status_code,
        user=user,
        errors=errors or {},
        values=values or {},
        notice=notice or ctx.query("done"),
        memberships=memberships,
        sessions=services.list_sessions(ctx.db, user),
        current_session_id=ctx.auth_session.id,
        join_requests=orgs.list_requests_of(ctx.db, user),
        org_rows=ctx.tree.flat(),
    )


@view
def me(ctx: Context) -> Response:
    return _me_page(ctx)


@view
def change_profile(ctx: Context) -> Response:
    user = _own_account(ctx)
    errors: dict[str, str] = {}
    for change, name in ((services.change_display_name, "display_name"), (services.change_email, "email")):
        try:
            change(user, ctx.field(name))
        except FormInvalid as exc:
            errors.update(exc.errors)
    if errors:
        ctx.db.rollback()
        typed = {"display_name": ctx.field("display_name"), "email": ctx.field("email")}
        return _me_page(ctx, 400, errors, typed)
    return ctx.redirect("/me?done=profile")


@view
def change_password(ctx: Context) -> Response:
    user = _own_account(ctx)
    assert ctx.auth_session is not None
    try:
        services.change_password(
            ctx.db,
            ctx.site.passwords,
            user,
            current=ctx.field("current_password"),
            new=ctx.field("new_password"),
            keep_session_id=ctx.auth_session.id,
        )
    except FormInvalid as exc:
        return _me_page(ctx, 400, exc.errors)
    return ctx.redirect("/me?done=password")


@view
def end_other_sessions(ctx: Context) -> Response:
    user = _own_account(ctx)
    assert ctx.auth_session is not None
    services.end_other_sessions(ctx.db, user, ctx.auth_session.id)
    return ctx.redirect("/me?done=sessions")


@view
def request_to_join(ctx: Context) -> Response:
    user = _own_account(ctx)
    values = {"organization_id": ctx.field("organization_id"), "message": ctx.field("message")}
    org_id = ctx.int_field("organization_id")
    try:
        if org_id is None or org_id not in ctx.tree.by_id:
            raise FormInvalid({"organization_id": _("Please choose an organization from the list.")})
        orgs.request_to_join(ctx.db, user=user, org=ctx.tree.by_id[org_id], message=values["message"])
    except FormInvalid as exc:
        return _me_page(ctx, 400, exc.errors, values)
    except Conflict as exc:
        return _me_page(ctx, 409, {"organization_id": exc.message}, values)
    return ctx.redirect("/me?done=join")


@view
def redeem_invite(ctx: Context) -> Response:
    user = _own_account(ctx)
    values = {"code": ctx.field("code")}
    try:
        orgs.redeem_invite(ctx.db, user=user, code=values["code"])
    except (FormInvalid, Throttled, Conflict, NotFound) as exc:
        errors = exc.errors if isinstance(exc, FormInvalid) else {"code": exc.message}
        # Returned, not raised: a failed attempt is counted against guessing.
        return _me_page(ctx, exc.status_code, errors, values)
    return ctx.redirect("/me?done=invite")


routes = [
    Route("/register", register, methods=["GET", "POST"], name="register"),
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/me", me, methods=["GET"], name="me"),
    Route("/me/profile", change_profile, methods=["POST"], name="profile"),
    Route("/me/password", change_password, methods=["POST"], name="password"),
    Route("/me/sessions/end-others", end_other_sessions, methods=["POST"], name="end_other_sessions"),
    Route("/me/join", request_to_join, methods=["POST"], name="join"),
    Route("/me/invite", redeem_invite, methods=["POST"], name="redeem"),
]
