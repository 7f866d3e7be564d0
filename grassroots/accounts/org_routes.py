"""Organization pages, and the secretary's work of verifying members."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from grassroots import policy
from grassroots.accounts import organizations as orgs
from grassroots.accounts.models import Role, User
from grassroots.accounts.tree import OrgRef
from grassroots.audit import AuditAction
from grassroots.errors import Conflict, FormInvalid, NotFound
from grassroots.web import Context, view


def _org(ctx: Context) -> OrgRef:
    try:
        return ctx.tree.by_slug(str(ctx.request.path_params["slug"]))
    except NotFound as exc:
        raise HTTPException(404) from exc


def render_org_page(ctx: Context, org: OrgRef) -> Response:
    path = ctx.tree.path(org.id)
    ctx.require(policy.may_read_public(ctx.actor, path))
    signed_in = ctx.user is not None
    return ctx.render(
        "orgs/front.html",
        org=org,
        trail=ctx.tree.ancestors(org.id),
        children=ctx.tree.children.get(org.id, []),
        may_run=signed_in and policy.may_run_organization(ctx.actor, path),
        # A registered person who is not yet a member here may ask to be verified.
        may_ask_to_join=signed_in and not policy.may_read_members_boards(ctx.actor, path),
        sections=[section(ctx, org) for section in ctx.site.org_sections],
    )


@view
def org_front(ctx: Context) -> Response:
    return render_org_page(ctx, _org(ctx))


def _members_page(
    ctx: Context,
    org: OrgRef,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    roll_text: str = "",
    issued: list[orgs.IssuedInvite] | None = None,
) -> Response:
    return ctx.render(
        "orgs/members.html",
        status_code=status_code,
        org=org,
        trail=ctx.tree.ancestors(org.id),
        requests=orgs.list_join_requests(ctx.db, org),
        memberships=orgs.list_memberships(ctx.db, org),
        invites=orgs.list_invites(ctx.db, org),
        member_role=Role.MEMBER,
        errors=errors or {},
        roll_text=roll_text,
        issued=issued or [],
        notice=ctx.query("done"),
    )


def _secretary_org(ctx: Context) -> OrgRef:
    org = _org(ctx)
    ctx.require(policy.may_run_organization(ctx.actor, ctx.tree.path(org.id)))
    return org


@view
def members(ctx: Context) -> Response:
    return _members_page(ctx, _secretary_org(ctx))


@view
def decide_request(ctx: Context) -> Response:
    org = _secretary_org(ctx)
    join_request = orgs.get_join_request(ctx.db, ctx.path_int("request_id"))
    if join_request.organization_id != org.id:
        raise HTTPException(404)
    decision = ctx.field("decision")
    if decision not in ("approve", "reject"):
        raise HTTPException(400)
    assert ctx.user is not None
    try:
        orgs.decide_join_request(
            ctx.db, actor=ctx.user, join_request=join_request, approve=decision == "approve"
        )
    except Conflict as exc:
        return _members_page(ctx, org, 409, {"requests": exc.message})
    return ctx.redirect(f"/o/{org.slug}/members?done={decision}")


@view
def import_roll(ctx: Context) -> Response:
    org = _secretary_org(ctx)
    assert ctx.user is not None
    text = ctx.field("roll")
    upload = ctx.files.get("roll_file")
    try:
        if upload is not None:
            text = orgs.decode_roll_file(upload.data)
        issued = orgs.import_roll(ctx.db, actor=ctx.user, org=org, text=text)
    except FormInvalid as exc:
        return _members_page(ctx, org, 400, exc.errors, roll_text=text)
    # Shown once, in this response: only the codes' hashes are stored.
    return _members_page(ctx, org, issued=issued)


@view
def withdraw_verification(ctx: Context) -> Response:
    """A member verified by mistake goes back to being a resident. Moderators and secretaries
    are the administrator's to change."""
    org = _secretary_org(ctx)
    assert ctx.user is not None
    person = ctx.db.get(User, ctx.path_int("user_id"))
    membership = orgs.get_membership(ctx.db, person, org) if person else None
    if person is None or membership is None or membership.role is not Role.MEMBER:
        raise HTTPException(404)
    orgs.set_role(
        ctx.db,
        actor=ctx.user,
        user=person,
        org=org,
        role=Role.RESIDENT,
        action=AuditAction.ACCOUNT_MEMBER_UNVERIFY,
    )
    return ctx.redirect(f"/o/{org.slug}/members?done=unverify")


routes = [
    Route("/{slug}/", org_front, methods=["GET"], name="front"),
    Route("/{slug}/members", members, methods=["GET"], name="members"),
    Route("/{slug}/members/requests/{request_id}", decide_request, methods=["POST"], name="decide"),
    Route("/{slug}/members/roll", import_roll, methods=["POST"], name="roll"),
    Route("/{slug}/members/{user_id}/unverify", withdraw_verification, methods=["POST"], name="unverify"),
]
