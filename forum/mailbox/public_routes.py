"""The mailbox's public pages: published letters with their replies, searchable per
organization, and each organization's monthly statistics with a chart."""

from __future__ import annotations

import time

from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from grassroots import policy
from grassroots.accounts.tree import OrgNode, OrgRef
from grassroots.db import utcnow
from grassroots.i18n import get_locale
from grassroots.i18n import gettext as _
from grassroots.web import Context, view

from . import chart, deadlines, inbox, publication, stats
from .models import Letter, Publication
from .routes import page_number, render


def _chosen_org(ctx: Context) -> OrgNode | None:
    slug = ctx.query("org")
    if not slug:
        return None
    node = ctx.tree.by_slug_map.get(slug)
    if node is None:
        raise HTTPException(404)
    return node


@view
def index(ctx: Context) -> Response:
    ctx.require(policy.may_read_public(ctx.actor))
    org, words, page = _chosen_org(ctx), ctx.query("q").strip()[:100], page_number(ctx)
    letters, has_more = publication.list_published(
        ctx.db, organization_id=org.id if org else None, words=words, page=page
    )
    return render(
        ctx,
        "mailbox/index.html",
        letters=letters,
        has_more=has_more,
        page=page,
        org=org,
        words=words,
        orgs=ctx.tree.flat(),
        tree=ctx.tree,
        may_answer=ctx.user is not None and bool(inbox.answerable_orgs(ctx.actor, ctx.tree)),
    )


@view
def public_letter(ctx: Context) -> Response:
    ctx.require(policy.may_read_public(ctx.actor))
    letter = ctx.db.get(Letter, ctx.path_int("letter_id"))
    if letter is None or letter.publication is not Publication.PUBLIC:
        raise HTTPException(404)
    org = ctx.tree.by_id[letter.organization_id]
    return render(ctx, "mailbox/public_letter.html", letter=letter, org=org, trail=ctx.tree.ancestors(org.id))


STATS_SECONDS = 60


@view
def statistics(ctx: Context) -> Response:
    """Drawn at most once a minute per language for the public: monthly figures do not need to
    be fresher, and the page is public, so it is read far more often than letters change."""
    ctx.require(policy.may_read_public(ctx.actor))
    org = _chosen_org(ctx) or (ctx.tree.roots[0] if ctx.tree.roots else None)
    if org is None:
        raise HTTPException(404)
    if ctx.user is not None:
        return _statistics(ctx, org)
    key = ("mailbox-stats", org.id, get_locale(), int(time.time() // STATS_SECONDS))
    body = ctx.site.fragments.get(key)
    if body is None:
        body = bytes(_statistics(ctx, org).body).decode()
        ctx.site.fragments.put(key, body)
    return HTMLResponse(body)


def _statistics(ctx: Context, org: OrgNode) -> Response:
    today = deadlines.local_date(utcnow(), org.timezone)
    months = stats.monthly(ctx.db, org.id, stats.first_month(today))
    series = {"received": _("Received"), "replied": _("Replied"), "resolved": _("Resolved")}
    title = _("Letters to the secretary of %(org)s, by month", org=org.name)
    return render(
        ctx,
        "mailbox/stats.html",
        org=org,
        orgs=ctx.tree.flat(),
        months=months,
        overdue=stats.overdue_now(ctx.db, org.id),
        svg=chart.bar_chart(months, series, title) if months else "",
        title=title,
    )


routes = [
    Route("/", index, name="index"),
    Route("/letters/{letter_id}", public_letter, name="public_letter"),
    Route("/stats", statistics, name="stats"),
]


def org_section(ctx: Context, org: OrgRef) -> Markup:
    """The mailbox's part of an organization's front page: links only, no query."""
    template = ctx.site.templates.get_template("mailbox/_org_section.html")
    may_answer = ctx.user is not None and policy.may_answer_letters(ctx.actor, ctx.tree.path(org.id))
    html = template.render(ctx=ctx, org=org, may_answer=may_answer)
    return Markup(html)  # noqa: S704 (drawn by the escaping template)
