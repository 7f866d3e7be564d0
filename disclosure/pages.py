"""The public pages of the disclosure area: the index by organization, kind and date, each
disclosure, its history and comparisons, and the Atom feed. Anonymous readers get them from the
fragment cache, with ETag and Last-Modified, so a repeat visit is answered with a 304."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime, parsedate_to_datetime
from html import escape

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from grassroots import feeds, policy
from grassroots.accounts.tree import OrgNode
from grassroots.db import utcnow
from grassroots.errors import NotFound
from grassroots.i18n import get_locale
from grassroots.numbers import to_int
from grassroots.web import Context, Site, answered_from_memory, view

from . import cache, labels, reading
from .models import Disclosure, Kind

FEED_ENTRIES = 30
PATHS = {Kind.POST: "posts", Kind.CANDIDATE: "candidates", Kind.NOTICE: "notices"}
KINDS = {path: kind for kind, path in PATHS.items()}


def may_run(ctx: Context, organization_id: int) -> bool:
    return policy.may_run_organization(ctx.actor, ctx.tree.path(organization_id))


def link_of(disclosure: Disclosure) -> str:
    return f"/disclosure/{PATHS[disclosure.kind]}/{disclosure.id}"


def cached(ctx: Context, draw: Callable[[], Response]) -> Response:
    """`draw()` for people signed in; for the public, the cached page or a 304."""
    ctx.require(policy.may_read_public(ctx.actor))
    if ctx.user is not None:
        response = draw()
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    stamp = cache.stamp(ctx.db)
    where = ctx.request.url.path + "?" + ctx.request.url.query
    etag = stamp.etag(where, get_locale())
    headers = _headers(stamp, etag)
    if _not_modified(ctx, etag, stamp):
        return Response(status_code=304, headers=headers)
    key = ("disclosure", where, get_locale(), stamp.key)
    body = ctx.site.fragments.get(key)
    if body is None:
        response = draw()
        if response.status_code != 200:
            return response
        body = bytes(response.body).decode()
        ctx.site.fragments.put(key, body)
    return HTMLResponse(body, headers=headers)


def _from_memory(request: Request, stamp: cache.Stamp) -> Response | None:
    """A page the public asked for before, or a 304 when they hold it (web.answered_from_memory)."""
    site: Site = request.app.state.site
    where = request.url.path + "?" + request.url.query
    headers = _headers(stamp, stamp.etag(where, get_locale()))
    if _asked_for(request, headers["ETag"], stamp):
        return Response(status_code=304, headers=headers)
    body = site.fragments.get(("disclosure", where, get_locale(), stamp.key))
    return None if body is None else HTMLResponse(body, headers=headers)


def public(endpoint: Callable[..., object]) -> Callable[..., object]:
    return answered_from_memory(
        endpoint,  # type: ignore[arg-type]
        kept=lambda site: cache.kept_stamp(site.database),
        read=lambda site: cache.read_stamp(site.database),
        answer=_from_memory,
    )


def _headers(stamp: cache.Stamp, etag: str) -> dict[str, str]:
    return {
        "ETag": etag,
        "Last-Modified": format_datetime(stamp.modified, usegmt=True),
        "Cache-Control": "public, no-cache",
    }


def _not_modified(ctx: Context, etag: str, stamp: cache.Stamp) -> bool:
    return _asked_for(ctx.request, etag, stamp)


def _asked_for(request: Request, etag: str, stamp: cache.Stamp) -> bool:
    asked = request.headers.get("if-none-match")
    if asked is not None:
        return etag in [tag.strip() for tag in asked.split(",")]
    since = request.headers.get("if-modified-since")
    if not since:
        return False
    try:
        return stamp.modified.replace(microsecond=0) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _org_filter(ctx: Context) -> tuple[OrgNode | None, list[int] | None]:
    slug = ctx.query("org")
    if not slug:
        return None, None
    try:
        org = ctx.tree.by_slug(slug)
    except NotFound as exc:
        raise HTTPException(404, exc.message) from exc
    return org, ctx.tree.within(org.id)


def _page_number(ctx: Context) -> int:
    raw = ctx.query("page")
    number = to_int(raw, digits=9)
    return min(number, 10_000) if number else 1


@view
def index(ctx: Context) -> Response:
    def draw() -> Response:
        org, org_ids = _org_filter(ctx)
        kind = KINDS.get(ctx.query("kind"))
        page = _page_number(ctx)
        rows, total = reading.list_public(ctx.db, organization_ids=org_ids, kind=kind, page=page)
        return ctx.render(
            "disclosure/index.html", rows=rows, total=total, page=page,
            pages=max(1, -(-total // reading.PER_PAGE)), org=org, kind=kind, orgs=ctx.tree.by_id,
            org_options=[(o.slug, "\u3000" * depth + o.name) for o, depth in ctx.tree.flat()],
            kind_options=[(PATHS[k], labels.kind_label(k)) for k in Kind], link_of=link_of,
            publishable=[(o.slug, o.name) for o, _d in ctx.tree.flat() if ctx.user and may_run(ctx, o.id)],
            now=utcnow(), **labels.HELPERS,
        )  # fmt: skip

    return cached(ctx, draw)


def _shown(ctx: Context, kind: Kind) -> Disclosure:
    disclosure_id = ctx.path_int("disclosure_id")
    found = ctx.db.get(Disclosure, disclosure_id)
    preview = found is not None and may_run(ctx, found.organization_id)
    try:
        return reading.get_disclosure(ctx.db, disclosure_id, kind, preview=preview)
    except NotFound as exc:
        raise HTTPException(404, exc.message) from exc


def disclosure_page(kind: Kind) -> Callable[..., object]:
    @view
    def page(ctx: Context) -> Response:
        def draw() -> Response:
            disclosure = _shown(ctx, kind)
            values, rendered = reading.current(ctx.db, disclosure)
            org = ctx.tree.by_id[disclosure.organization_id]
            candidates = reading.candidates_for(ctx.db, disclosure) if kind is Kind.POST else []
            return ctx.render(
                f"disclosure/{kind.value}.html", d=disclosure, values=values, rendered=rendered, org=org,
                tz=org.timezone, now=utcnow(), link_of=link_of,
                post=ctx.db.get(Disclosure, disclosure.post_id) if disclosure.post_id else None,
                candidates=candidates, candidate_fields=reading.current_fields(ctx.db, candidates),
                may_run=may_run(ctx, org.id), **labels.HELPERS,
            )  # fmt: skip

        return cached(ctx, draw)

    page.__name__ = f"{kind.value}_page"
    return page


@view
def history(ctx: Context) -> Response:
    kind = KINDS.get(str(ctx.request.path_params["kind"]))
    if kind is None:
        raise HTTPException(404)

    def draw() -> Response:
        disclosure = _shown(ctx, kind)
        listed = reading.revisions(ctx.db, disclosure)
        older, newer = _chosen_pair(ctx, len(listed))
        try:
            changes = reading.compare(ctx.db, disclosure, older, newer) if older and newer else []
        except NotFound as exc:
            raise HTTPException(404, exc.message) from exc
        org = ctx.tree.by_id[disclosure.organization_id]
        return ctx.render(
            "disclosure/history.html", d=disclosure, revisions=listed, older=older, newer=newer,
            changes=changes, org=org, tz=org.timezone, link_of=link_of, **labels.HELPERS,
        )  # fmt: skip

    return cached(ctx, draw)


def _chosen_pair(ctx: Context, count: int) -> tuple[int, int]:
    """The revisions compared: ?a= and ?b=, by default the last change."""
    raw_a, raw_b = ctx.query("a"), ctx.query("b")
    if not raw_a and not raw_b:
        return (count - 1, count) if count > 1 else (0, 0)
    a, b = to_int(raw_a, digits=6), to_int(raw_b, digits=6)
    if a is None or b is None:
        raise HTTPException(404)
    return (min(a, b), max(a, b)) if a != b else (a, b)


@view
def feed(ctx: Context) -> Response:
    ctx.require(policy.may_read_public(ctx.actor))
    org, org_ids = _org_filter(ctx)
    rows, _total = reading.list_public(ctx.db, organization_ids=org_ids, per_page=FEED_ENTRIES)
    base = ctx.settings.site_url.rstrip("/")
    entries = [
        feeds.Entry(
            link=base + link_of(d),
            title=d.title,
            author=ctx.tree.by_id[d.organization_id].name,
            published=d.publish_at,
            updated=d.updated_at,
            html=escape(d.summary),
            summary=d.summary,
        )  # fmt: skip
        for d in rows
    ]
    title = org.name if org else labels.area_title()
    return feeds.atom_response(feeds.self_url(ctx.settings.site_url, ctx.request.url), title, entries)


routes = [
    Route("/", public(index), methods=["GET"], name="index"),
    *(
        Route(
            f"/{path}/{{disclosure_id}}",
            public(disclosure_page(kind)),
            methods=["GET"],
            name=kind.value,
        )
        for kind, path in PATHS.items()
    ),  # fmt: skip
    Route("/{kind}/{disclosure_id}/history", public(history), methods=["GET"], name="history"),
]
feed_routes = [Route("/feeds/disclosures.atom", feed, methods=["GET"], name="disclosures_feed")]
