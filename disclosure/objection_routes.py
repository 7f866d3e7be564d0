"""Objections through the pages: the form anyone may use during a publicity period, and the
page of a disclosure's objections, where the public reads how each was handled and the
organization's secretary also reads the objections themselves and records the handling."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from grassroots import policy
from grassroots.errors import Conflict, FormInvalid, Throttled
from grassroots.web import Context, view
from moderation.screening import Blocked

from . import labels, objections
from .models import Disclosure, Objection, ObjectionState
from .pages import link_of, may_run


def _disclosure(ctx: Context) -> Disclosure:
    found = ctx.db.get(Disclosure, ctx.path_int("disclosure_id"))
    if found is None:
        raise HTTPException(404)
    return found


@view
def lodge(ctx: Context) -> Response:
    disclosure = _disclosure(ctx)
    ctx.require(policy.may_object(ctx.actor, ctx.tree.path(disclosure.organization_id)))
    errors: dict[str, str] = {}
    status = 200
    if ctx.request.method == "POST":
        try:
            made = objections.lodge(
                ctx.db, disclosure=disclosure, author=ctx.user, body=ctx.field("body"),
                contact=ctx.field("contact"), client=ctx.client_address,
            )  # fmt: skip
            held = made.state is ObjectionState.HELD
            return ctx.render("disclosure/objected.html", d=disclosure, held=held, link_of=link_of)
        except FormInvalid as exc:
            ctx.db.rollback()
            errors, status = exc.errors, 400
        except (Blocked, Throttled, Conflict) as exc:
            ctx.db.rollback()
            errors, status = {"body": exc.message}, exc.status_code
    return ctx.render(
        "disclosure/object.html", status_code=status, d=disclosure, errors=errors, body=ctx.field("body"),
        contact=ctx.field("contact"), link_of=link_of, tz=ctx.tree.by_id[disclosure.organization_id].timezone,
    )  # fmt: skip


@view
def listing(ctx: Context) -> Response:
    disclosure = _disclosure(ctx)
    ctx.require(policy.may_read_public(ctx.actor))
    runs = may_run(ctx, disclosure.organization_id)
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        ctx.require(runs)
        objection = ctx.db.get(Objection, ctx.int_field("objection") or 0)
        if objection is None or objection.disclosure_id != disclosure.id:
            raise HTTPException(404)
        try:
            objections.handle(
                ctx.db,
                objection=objection,
                actor=ctx.require_login(),
                response=ctx.field(f"response-{objection.id}"),
            )
            return ctx.redirect(f"/disclosure/objections/{disclosure.id}")
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = {f"response-{objection.id}": exc.errors["response"]}
        except Conflict as exc:
            raise HTTPException(409, exc.message) from exc
    shown = (ObjectionState.RECEIVED, ObjectionState.HANDLED) if runs else (ObjectionState.HANDLED,)
    return ctx.render(
        "disclosure/objections.html", status_code=400 if errors else 200, d=disclosure, runs=runs,
        objections=objections.objections_to(ctx.db, disclosure, states=shown), errors=errors,
        typed=ctx.field(f"response-{ctx.field('objection')}"), link_of=link_of,
        tz=ctx.tree.by_id[disclosure.organization_id].timezone, **labels.HELPERS,
    )  # fmt: skip


routes = [
    Route("/object/{disclosure_id}", lodge, methods=["GET", "POST"], name="object"),
    Route("/objections/{disclosure_id}", listing, methods=["GET", "POST"], name="objections"),
]
