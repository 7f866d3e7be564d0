"""Boards of one organization, created, described, ordered and given moderators by its
secretary or the admin."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from grassroots.accounts.tree import OrgNode
from grassroots.errors import FormInvalid, NotFound
from grassroots.web import Context, view

from . import access, boards
from .models import Board


def _managed_org(ctx: Context) -> OrgNode:
    try:
        org = ctx.tree.by_slug(str(ctx.request.path_params["slug"]))
    except NotFound as exc:
        raise HTTPException(404) from exc
    ctx.require(access.may_manage_boards(ctx.actor, ctx.tree, org.id))
    return org


def _managed_board(ctx: Context, org: OrgNode) -> Board:
    try:
        board = boards.get_board(ctx.db, str(ctx.request.path_params["board"]))
    except NotFound as exc:
        raise HTTPException(404) from exc
    if board.organization_id != org.id:
        raise HTTPException(404)
    return board


def _moderator_names(ctx: Context, board: Board) -> str:
    return " ".join(u.username for u in boards.moderators_of(ctx.db, [board.id]).get(board.id, []))


@view
def manage(ctx: Context) -> Response:
    org = _managed_org(ctx)
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        user = ctx.require_login()
        try:
            boards.create_board(
                ctx.db,
                actor=user,
                organization_id=org.id,
                slug=ctx.field("slug"),
                name=ctx.field("name"),
                description=ctx.field("description"),
                members_only=ctx.field("members_only") == "1",
                moderators=ctx.field("moderators"),
            )
            return ctx.redirect(f"/forum/manage/{org.slug}/")
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    listed = boards.list_boards(ctx.db, [org.id])
    return ctx.render(
        "forum/manage.html",
        status_code=400 if errors else 200,
        org=org,
        trail=ctx.tree.ancestors(org.id),
        boards=listed,
        moderators=boards.moderators_of(ctx.db, [b.id for b in listed]),
        errors=errors,
    )


@view
def edit_board(ctx: Context) -> Response:
    org = _managed_org(ctx)
    board = _managed_board(ctx, org)
    errors: dict[str, str] = {}
    values = {
        "slug": ctx.field("slug", board.slug),
        "name": ctx.field("name", board.name),
        "description": ctx.field("description", board.description),
        "members_only": ctx.field("members_only", "1" if board.members_only else "0") == "1",
        "moderators": ctx.field("moderators", _moderator_names(ctx, board)),
    }
    if ctx.request.method == "POST":
        user = ctx.require_login()
        values["members_only"] = ctx.field("members_only") == "1"  # an unticked box sends nothing
        try:
            boards.update_board(ctx.db, actor=user, board=board, **values)  # type: ignore[arg-type]
            return ctx.redirect(f"/forum/manage/{org.slug}/")
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    return ctx.render(
        "forum/board_edit.html",
        status_code=400 if errors else 200,
        org=org,
        trail=ctx.tree.ancestors(org.id),
        board=board,
        errors=errors,
        **values,
    )


@view
def move(ctx: Context) -> Response:
    org = _managed_org(ctx)
    board = _managed_board(ctx, org)
    user = ctx.require_login()
    boards.move_board(ctx.db, actor=user, board=board, offset=-1 if ctx.field("direction") == "up" else 1)
    return ctx.redirect(f"/forum/manage/{org.slug}/")


routes = [
    Route("/manage/{slug}/", manage, methods=["GET", "POST"], name="manage"),
    Route("/manage/{slug}/{board}", edit_board, methods=["GET", "POST"], name="edit_board"),
    Route("/manage/{slug}/{board}/move", move, methods=["POST"], name="move_board"),
]
