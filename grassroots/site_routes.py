"""The front page, health check, language switch and the public audit log."""

from __future__ import annotations

from sqlalchemy import text
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from grassroots import audit, policy, uploads
from grassroots.accounts.org_routes import render_org_page
from grassroots.accounts.routes import safe_next
from grassroots.audit_text import action_label, entry_facts
from grassroots.i18n import LANGUAGES, LOCALE_COOKIE
from grassroots.numbers import to_int
from grassroots.web import Context, Site, view

AUDIT_PAGE = 50
AUDIT_JSON_PAGE = 1000


@view
def front(ctx: Context) -> Response:
    roots = ctx.tree.roots
    if len(roots) == 1:
        return render_org_page(ctx, roots[0])
    return ctx.render("front.html", rows=ctx.tree.flat())


async def healthz(request: Request) -> Response:
    site: Site = request.app.state.site
    try:
        with site.database.reading() as db:
            db.execute(text("SELECT 1"))
    except Exception as exc:  # a health check reports, it does not raise
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


async def switch_language(request: Request) -> Response:
    code = request.path_params["code"]
    target = safe_next(request.query_params.get("next", "/"))
    response = RedirectResponse(target, status_code=303)
    if code in LANGUAGES:
        secure = request.url.scheme == "https"
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 86400, samesite="lax", secure=secure)
    return response


@view
def audit_log(ctx: Context) -> Response:
    ctx.require(policy.may_read_public(ctx.actor))
    before = ctx.query("before")
    before_seq = to_int(before, digits=11)
    entries = audit.list_entries(ctx.db, before_seq=before_seq, limit=AUDIT_PAGE)
    older = entries[-1].seq if len(entries) == AUDIT_PAGE and entries[-1].seq > 1 else None
    org_names = {org.slug: org.name for org in ctx.tree.by_id.values()}
    return ctx.render(
        "audit/log.html",
        entries=entries,
        head=audit.get_head(ctx.db),
        older=older,
        org_names=org_names,
        action_label=action_label,
        entry_facts=entry_facts,
    )


@view
def audit_log_json(ctx: Context) -> Response:
    """Everything needed to check the chain, a page at a time from the oldest entry."""
    ctx.require(policy.may_read_public(ctx.actor))
    after = ctx.query("after", "0")
    after_seq = to_int(after, digits=11) or 0
    entries = audit.list_entries_after(ctx.db, after_seq=after_seq, limit=AUDIT_JSON_PAGE)
    head = audit.get_head(ctx.db)
    body = {
        "head": {"seq": head.seq, "hash": head.hash},
        "entries": [{**audit.content_of(e), "hash": e.hash} for e in entries],
        "next": f"/audit/log.json?after={entries[-1].seq}" if len(entries) == AUDIT_JSON_PAGE else None,
    }
    return JSONResponse(body)


@view
def uploaded(ctx: Context) -> Response:
    """A public upload (a candidate's photo or video, a notice's PDF). Names are random and
    never reused, so the file may be kept by browsers for good; FileResponse answers ranges."""
    stored = uploads.find_public(ctx.db, str(ctx.request.path_params["name"])[:40])
    if stored is None:
        raise HTTPException(404)
    path = uploads.upload_dir(ctx.settings.data_dir) / stored.name
    if not path.is_file():
        raise HTTPException(404)
    return FileResponse(
        path, media_type=stored.content_type, headers={"Cache-Control": "public, max-age=31536000, immutable"}
    )


routes = [
    Route("/", front, methods=["GET"], name="front"),
    Route("/healthz", healthz, methods=["GET"], name="healthz"),
    Route("/uploads/{name}", uploaded, methods=["GET"], name="upload"),
    Route("/lang/{code}", switch_language, methods=["GET"], name="language"),
    Route("/audit/", audit_log, methods=["GET"], name="audit"),
    Route("/audit/log.json", audit_log_json, methods=["GET"], name="audit_json"),
]
