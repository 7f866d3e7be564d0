"""The secretary's election pages: create an election, move it on, ask for or confirm the steps
that take two officials, review the nominees, and record who is not expected."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Route

from grassroots import policy
from grassroots.errors import FormInvalid, NotFound
from grassroots.web import Context, view

from . import candidates, elections, phases, rounds
from .models import Step
from .routes import load, org_path, render_election, settled_or_redirect

FIELDS = [
    *elections.LIMITS,
    "title",
    "post_id",
    "rule_set",
    "majority_base",
    "quorum_percent",
    "margin_percent",
]
DEFAULTS = {
    "seats": "5",
    "nominations_each": "5",
    "nomination_days": "7",
    "publicity_days": "5",
    "voting_minutes": "120",
}
MOVES = {
    "nomination": phases.open_nomination,
    "review": phases.end_nomination,
    "publicity": phases.start_publicity,
    "tally": phases.tally_election,
}


def _require_runs(ctx: Context, organization_id: int) -> None:
    ctx.require_login()
    ctx.require(policy.may_run_organization(ctx.actor, ctx.tree.path(organization_id)))


@view
def new(ctx: Context) -> Response:
    try:
        org = ctx.tree.by_slug(ctx.query("org") or ctx.field("org"))
    except NotFound as exc:
        raise HTTPException(404, exc.message) from exc
    _require_runs(ctx, org.id)
    typed = {name: ctx.field(name, DEFAULTS.get(name, "")) for name in FIELDS}
    typed["public_recommendation"] = ctx.field("public_recommendation")
    typed["self_nomination"] = ctx.field("self_nomination")
    # Checked on a new form; a POSTed form says itself (an unticked box sends nothing).
    typed["receipt_shows_ballot"] = ctx.field(
        "receipt_shows_ballot", "" if ctx.request.method == "POST" else "on"
    )
    errors: dict[str, str] = {}
    if ctx.request.method == "POST":
        try:
            made = elections.create_election(ctx.db, actor=ctx.require_login(), org=org, typed=typed)
            return ctx.redirect(f"/elections/{made.id}")
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    return ctx.render(
        "voting/new.html", status_code=400 if errors else 200, org=org, typed=typed, errors=errors
    )


@view
def advance(ctx: Context) -> Response:
    election = load(ctx, for_update=True)
    _require_runs(ctx, election.organization_id)
    move = MOVES.get(ctx.field("to"))
    if move is None:
        raise HTTPException(400)
    move(ctx.db, actor=ctx.require_login(), election=election)
    return ctx.redirect(f"/elections/{election.id}")


@view
def step(ctx: Context) -> Response:
    """`action=request` asks for the step; `action=confirm` is a second official's confirmation."""
    election = load(ctx, for_update=True)
    _require_runs(ctx, election.organization_id)
    if (closed := settled_or_redirect(ctx, election)) is not None:
        return closed
    try:
        chosen = Step(ctx.field("step"))
    except ValueError:
        raise HTTPException(400) from None
    user = ctx.require_login()
    if ctx.field("action") == "confirm":
        asked = next((p for p in phases.pending_steps(ctx.db, election) if p.step is chosen), None)
        requested_by = asked.requested_by_id if asked else -1
        ctx.require(
            policy.may_second_election_step(ctx.actor, org_path(ctx, election), requested_by_id=requested_by)
        )
        phases.confirm_step(ctx.db, actor=user, election=election, step=chosen)
    else:
        phases.request_step(ctx.db, actor=user, election=election, step=chosen)
    return ctx.redirect(f"/elections/{election.id}")


@view
def review(ctx: Context) -> Response:
    election = load(ctx, for_update=True)
    _require_runs(ctx, election.organization_id)
    candidate = candidates.get_candidate(ctx.db, election, ctx.path_int("candidate_id"))
    try:
        candidates.review(
            ctx.db, actor=ctx.require_login(), election=election, candidate=candidate,
            qualified=ctx.field("qualified") == "yes", note=ctx.field("note"),
        )  # fmt: skip
    except FormInvalid as exc:
        ctx.db.rollback()
        return render_election(
            ctx,
            election,
            status_code=400,
            errors=exc.errors,
            error_for=candidate.id,
            typed_note=ctx.field("note"),
        )
    return ctx.redirect(f"/elections/{election.id}")


@view
def exclude(ctx: Context) -> Response:
    election = load(ctx, for_update=True)
    _require_runs(ctx, election.organization_id)
    try:
        elections.exclude_from_expected(
            ctx.db, actor=ctx.require_login(), election=election,
            username=ctx.field("username"), reason=ctx.field("reason"),
        )  # fmt: skip
    except FormInvalid as exc:
        ctx.db.rollback()
        typed = {"username": ctx.field("username"), "reason": ctx.field("reason")}
        return render_election(ctx, election, status_code=400, errors=exc.errors, typed=typed)
    return ctx.redirect(f"/elections/{election.id}")


@view
def next_round(ctx: Context) -> Response:
    election = load(ctx, for_update=True)
    _require_runs(ctx, election.organization_id)
    following = rounds.start_next_round(ctx.db, actor=ctx.require_login(), election=election)
    return ctx.redirect(f"/elections/{following.id}")


routes = [
    Route("/new", new, methods=["GET", "POST"], name="new"),
    Route("/{election_id:int}/advance", advance, methods=["POST"], name="advance"),
    Route("/{election_id:int}/step", step, methods=["POST"], name="step"),
    Route("/{election_id:int}/candidates/{candidate_id:int}", review, methods=["POST"], name="review"),
    Route("/{election_id:int}/exclude", exclude, methods=["POST"], name="exclude"),
    Route("/{election_id:int}/next-round", next_round, methods=["POST"], name="next_round"),
]
