"""The election pages everyone and every voter sees: the list, one election, nominating,
check-in, the ballot, the receipt lookup, the results and the record."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from sqlalchemy import select
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from grassroots import feeds, policy
from grassroots.errors import Conflict, FormInvalid
from grassroots.i18n import gettext as _
from grassroots.web import Context, view

from . import announce, ballots, candidates, elections, labels, phases, record, rounds, verifier
from .models import Election, Phase, reached


def load(ctx: Context, *, for_update: bool = False) -> Election:
    """The election of the path. A GET that finds voting past its end closes it first, in a
    unit of its own (the page's own unit only reads)."""
    election_id = ctx.path_int("election_id")
    election = phases.get_election(ctx.db, election_id, for_update=for_update)
    if ctx.request.method == "GET" and phases.voting_ended(election):
        with ctx.site.database.writing() as db:
            phases.settle(db, phases.get_election(db, election_id, for_update=True))
        ctx.db.rollback()  # end the read snapshot, so the close is seen
        election = phases.get_election(ctx.db, election_id)
    return election


def org_path(ctx: Context, election: Election) -> tuple[int, ...]:
    return ctx.tree.path(election.organization_id)


def may_run_org(ctx: Context, organization_id: int) -> bool:
    return policy.may_run_organization(ctx.actor, ctx.tree.path(organization_id))


def may_run(ctx: Context, election: Election) -> bool:
    return may_run_org(ctx, election.organization_id)


def settled_or_redirect(ctx: Context, election: Election) -> Response | None:
    """A POST that finds voting past its end closes it and says so, rather than failing (a
    failure would roll the close back)."""
    if phases.voting_ended(election):
        phases.settle(ctx.db, phases.get_election(ctx.db, election.id, for_update=True))
        return ctx.redirect(f"/elections/{election.id}")
    return None


@view
def index(ctx: Context) -> Response:
    ctx.require(policy.may_read_public(ctx.actor))
    query = select(Election).order_by(Election.id.desc()).limit(100)
    listed = list(ctx.db.scalars(query))
    orgs = {e.organization_id: ctx.tree.by_id[e.organization_id] for e in listed}
    # Where the viewer may start an election: every organization they run, in tree order.
    runs = [org for org, _depth in ctx.tree.flat() if ctx.user and may_run_org(ctx, org.id)]
    return ctx.render("voting/index.html", elections=listed, orgs=orgs, runs=runs, **labels.HELPERS)


@view
def show(ctx: Context) -> Response:
    election = load(ctx)
    return render_election(ctx, election)


def render_election(ctx: Context, election: Election, status_code: int = 200, **extra: Any) -> Response:
    user = ctx.user
    listed = candidates.list_candidates(ctx.db, election, qualified_only=reached(election, Phase.PUBLICITY))
    mine = {
        "nominee": next((c for c in listed if user and c.user_id == user.id), None),
        "on_roll": bool(user and ballots.on_roll(ctx.db, election, user.id)),
        "checked_in": bool(user and ballots.checked_in(ctx.db, election, user.id)),
        "voted": bool(user and ballots.has_voted(ctx.db, election, user.id)),
    }
    return ctx.render(
        "voting/election.html", status_code=status_code, e=election,
        org=ctx.tree.by_id[election.organization_id], candidates=listed, mine=mine,
        turnout=ballots.turnout(ctx.db, election), may_run=may_run(ctx, election),
        asked_steps={str(p.step) for p in phases.pending_steps(ctx.db, election)},
        following=rounds.next_round_of(ctx.db, election), needs_next=rounds.needs_next_round(election),
        reasons=candidates.reasons_for(ctx.db, election) if election.phase is Phase.REVIEW else {},
        excluded=elections.exclusions(ctx.db, election) if may_run(ctx, election) else [],
        **labels.HELPERS, **{"errors": {}, "error_for": None, "typed": None, "typed_note": "", **extra},
    )  # fmt: skip


@view
def nominate(ctx: Context) -> Response:
    # Locked for a POST, so that two nominations sent at once cannot both pass the limit.
    election = load(ctx, for_update=ctx.request.method == "POST")
    user = ctx.require_login()
    ctx.require(
        policy.may_nominate(
            ctx.actor, org_path(ctx, election), public_recommendation=election.public_recommendation
        )
    )
    errors: dict[str, str] = {}
    typed = {"username": ctx.field("username"), "reason": ctx.field("reason")}
    if ctx.request.method == "POST":
        try:
            candidates.nominate(ctx.db, actor=user, election=election, **typed)
            return ctx.redirect(f"/elections/{election.id}/nominate")
        except FormInvalid as exc:
            ctx.db.rollback()
            errors = exc.errors
    made = candidates.nominations_by(ctx.db, election, user)
    query = ctx.query("q")
    return ctx.render(
        "voting/nominate.html", status_code=400 if errors else 200, e=election, errors=errors,
        typed=typed, made=len(made), q=query, found=candidates.find_members(ctx.db, election, query),
    )  # fmt: skip


@view
def answer(ctx: Context) -> Response:
    """A nominee accepts standing (`accept=yes`) or declines."""
    election = load(ctx, for_update=True)
    candidates.answer(
        ctx.db, actor=ctx.require_login(), election=election, accept=ctx.field("accept") == "yes"
    )
    return ctx.redirect(f"/elections/{election.id}")


@view
def checkin(ctx: Context) -> Response:
    election = load(ctx, for_update=ctx.request.method == "POST")
    user = ctx.require_login()
    ctx.require(ballots.on_roll(ctx.db, election, user.id))
    if ctx.request.method == "POST":
        if (closed := settled_or_redirect(ctx, election)) is not None:
            return closed
        ballots.check_in(ctx.db, voter=user, election=election)
        return ctx.redirect(f"/elections/{election.id}/ballot")
    return ctx.render("voting/checkin.html", e=election, done=ballots.checked_in(ctx.db, election, user.id))


def _typed_ballot(ctx: Context, keys: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    marks = {key: ctx.field(f"mark-{key}", "abstain") for key in keys}
    write_ins = {key: ctx.field(f"write_in-{key}") for key in keys if ctx.field(f"write_in-{key}").strip()}
    return marks, write_ins


@view
def ballot(ctx: Context) -> Response:
    """GET the ballot; POST `step=review` to see it back, `step=cast` to cast it. The receipt
    page answers the cast itself: a redirect would need the receipt kept beside the voter."""
    # Not locked: the cast locks the election's row itself, for its last few statements only.
    actor = ctx.actor
    election = load(ctx)
    user = ctx.require_login()
    mine = ballots.standing(ctx.db, election, user.id)
    ctx.require(policy.may_vote(actor, org_path(ctx, election), on_voter_roll=mine.on_roll))
    if election.phase is not Phase.VOTING:
        raise Conflict(_("Voting is not open."))
    if mine.voted:
        raise ballots.AlreadyVoted(_("You have voted in this election already."))
    if not mine.checked_in:
        return ctx.redirect(f"/elections/{election.id}/checkin")
    listed = candidates.list_candidates(ctx.db, election, qualified_only=True)
    names = {str(c.id): c.name for c in listed}
    marks, write_ins = _typed_ballot(ctx, list(names))
    step, errors = ctx.field("step"), {}
    if ctx.request.method == "POST":
        if (closed := settled_or_redirect(ctx, election)) is not None:
            return closed
        try:
            if step == "cast":
                # Read now what the page's header shows: after the commit it would take a
                # transaction of its own, three round trips more for every cast.
                ctx.unread_notifications  # noqa: B018
                receipt = ballots.cast_ballot(
                    ctx.db, voter=user, election=election, marks=marks, write_ins=write_ins,
                    candidates=names, known=mine,
                )  # fmt: skip
                ctx.db.commit()  # before drawing the page, which needs no lock
                return ctx.render("voting/receipt_given.html", e=election, receipt=receipt)
            ballots.clean_ballot(marks, write_ins, list(names), names, election.seats)
        except FormInvalid as exc:
            ctx.db.rollback()
            errors, step = exc.errors, ""
    return ctx.render(
        "voting/ballot.html", status_code=400 if errors else 200, e=election, candidates=listed,
        marks=marks, write_ins=write_ins, errors=errors, reviewing=step == "review" and not errors,
        **labels.HELPERS,
    )  # fmt: skip


@view
def receipt(ctx: Context) -> Response:
    election = load(ctx)
    code = ctx.query("code").strip()[:80]
    found: dict[str, Any] | bool | None = None
    if code and election.phase in record.PUBLIC_PHASES:
        counted = ballots.receipt_counted(ctx.db, election, code)
        if counted and election.receipt_shows_ballot:
            found = verifier.find_receipt({"ballots": ballots.published_ballots(ctx.db, election)}, code)
        else:
            found = counted  # only whether it was counted: this election's receipts do not find marks
    names = {str(c.id): c.name for c in candidates.list_candidates(ctx.db, election, qualified_only=True)}
    return ctx.render(
        "voting/receipt.html", e=election, code=code, found=found, names=names, **labels.HELPERS
    )


@view
def results(ctx: Context) -> Response:
    election = load(ctx)
    if election.phase is not Phase.PUBLISHED:
        raise Conflict(_("The result is shown once it has been counted and published."))
    result = json.loads(election.result)
    names = {str(c.id): c.name for c in candidates.list_candidates(ctx.db, election, qualified_only=True)}
    return ctx.render(
        "voting/results.html", e=election, result=result, names=names, chart=labels.chart(result, names),
        rule=labels.rule_lines(phases.rules_of(election), result),
        **labels.HELPERS,
    )  # fmt: skip


FEED_ENTRIES = 50


@view
def results_feed(ctx: Context) -> Response:
    """Published results, newest first; `?org=` narrows them to an organization and those below."""
    ctx.require(policy.may_read_public(ctx.actor))
    query = select(Election).where(Election.phase == Phase.PUBLISHED)
    title = _("Election results")
    if slug := ctx.query("org"):
        org = ctx.tree.by_slug(slug)  # NotFound: a 404
        query, title = query.where(Election.organization_id.in_(ctx.tree.within(org.id))), org.name
    listed = ctx.db.scalars(
        query.order_by(Election.published_at.desc(), Election.id.desc()).limit(FEED_ENTRIES)
    )
    base = ctx.settings.site_url.rstrip("/")
    entries = []
    for election in listed:
        line = announce.summary(ctx.db, election)
        moment = election.published_at or election.created_at
        entries.append(
            feeds.Entry(
                link=f"{base}/elections/{election.id}/results",
                title=election.title,
                author=ctx.tree.by_id[election.organization_id].name,
                published=moment,
                updated=moment,
                html=escape(line),
                summary=line,
            )  # fmt: skip
        )
    return feeds.atom_response(feeds.self_url(ctx.settings.site_url, ctx.request.url), title, entries)


@view
def record_json(ctx: Context) -> Response:
    election = load(ctx)
    data = record.build(ctx.db, election, with_result=election.phase is Phase.PUBLISHED)
    return JSONResponse(data, headers={"Cache-Control": "no-cache"})


routes = [
    Route("/", index, name="index"),
    Route("/{election_id:int}", show, name="election"),
    Route("/{election_id:int}/nominate", nominate, methods=["GET", "POST"], name="nominate"),
    Route("/{election_id:int}/answer", answer, methods=["POST"], name="answer"),
    Route("/{election_id:int}/checkin", checkin, methods=["GET", "POST"], name="checkin"),
    Route("/{election_id:int}/ballot", ballot, methods=["GET", "POST"], name="ballot"),
    Route("/{election_id:int}/receipt", receipt, name="receipt"),
    Route("/{election_id:int}/results", results, name="results"),
    Route("/{election_id:int}/record.json", record_json, name="record"),
]
feed_routes = [Route("/feeds/results.atom", results_feed, methods=["GET"], name="results_feed")]
