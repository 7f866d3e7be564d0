"""The composition root: create_app(settings) lists the features and mounts their routes."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from disclosure import manage_routes as disclosure_manage_routes
from disclosure import objection_routes as disclosure_objection_routes
from disclosure import pages as disclosure_pages
from disclosure.objections import ObjectionAdapter
from forum import manage_routes as forum_manage_routes
from forum import pages as forum_pages
from forum import routes as forum_routes
from forum.mailbox import inbox_routes as mailbox_inbox_routes
from forum.mailbox import public_routes as mailbox_public_routes
from forum.mailbox import routes as mailbox_routes
from forum.mailbox.moderation_adapter import LetterAdapter
from forum.moderation_adapter import PostAdapter
from grassroots import i18n, notification_routes, site_routes
from grassroots.accounts import admin_routes, org_routes
from grassroots.accounts import routes as account_routes
from grassroots.db import Database, unavailable
from grassroots.error_text import error_explanation, error_heading
from grassroots.fragments import FragmentCache
from grassroots.mail import MailSender
from grassroots.notifications import Notifier
from grassroots.numbers import to_int
from grassroots.security import SECURITY_HEADERS, Passwords, SecurityHeadersMiddleware
from grassroots.settings import Settings
from grassroots.templating import STATIC_DIR, make_environment
from grassroots.web import Context, Site, View, error_page, run_view
from moderation import registry as moderation_registry
from moderation import routes as moderation_routes
from voting import manage_routes as voting_manage_routes
from voting import routes as voting_routes
from voting.polls import routes as poll_routes

log = logging.getLogger("grassroots")


class LocaleMiddleware:
    """Sets the request's language before anything renders, error pages included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            i18n.set_locale(
                i18n.negotiate(
                    request.cookies.get(i18n.LOCALE_COOKIE), request.headers.get("accept-language")
                )
            )
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """413 with the friendly page for a body over the limit, whether it says its length or not.
    (Starlette's own limiter answers in plain text.)"""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.settings.body_limit(scope["path"])
        declared = Request(scope).headers.get("content-length", "")
        if (length := to_int(declared)) is not None and length > limit:
            await _static_error(scope["app"].state.site, Request(scope), 413)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413)
            return message

        await self.app(scope, counting_receive, send)


def _error_view(status: int) -> View:
    def render(ctx: Context) -> Response:
        return error_page(ctx, status)

    return render


async def http_error(request: Request, exc: Exception) -> Response:
    """Routing errors (404, 405), unreadable forms (400) and oversized bodies (413) get the
    same friendly page as errors raised in views; 405 and 413 never touch the database."""
    assert isinstance(exc, HTTPException)
    site: Site = request.app.state.site
    status = exc.status_code
    if status == 404 and request.method in ("GET", "HEAD"):
        response = await _in_threadpool(site, request, status)
    else:
        response = _static_error(site, request, status)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _in_threadpool(site: Site, request: Request, status: int) -> Response:
    return await run_in_threadpool(run_view, site, request, None, _error_view(status))


def _static_error(site: Site, request: Request, status: int) -> HTMLResponse:
    template = site.templates.get_template("errors/error.html")
    html = template.render(
        ctx=None,
        viewer=None,
        request=request,
        heading=error_heading(status),
        message=error_explanation(status),
    )
    response = HTMLResponse(html, status_code=status)
    # The outermost error handler sits outside the headers middleware.
    response.headers.update({k.decode(): v.decode() for k, v in SECURITY_HEADERS})
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _static_error(request.app.state.site, request, 500)


RETRY_AFTER_S = 5


async def database_error(request: Request, exc: Exception) -> Response:
    """The database is down or restarting: a 503 that says to try again, and one line in the
    log, not a traceback per request. Any other database error is a bug: on to the 500."""
    if not unavailable(exc):
        raise exc
    assert isinstance(exc, DBAPIError)
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, reason)
    response = _static_error(request.app.state.site, request, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def settle_memory(site: Site) -> None:
    """Compile every template, then move everything alive at start-up out of the collector's
    sight. Full collections otherwise walked all of SQLAlchemy, Jinja and Babel every second
    or so, pausing a worker ~50 ms each time: most of the front page's p99 (bench/README.md)."""
    for name in site.templates.list_templates(extensions=["html"]):
        site.templates.get_template(name)
    gc.collect()
    gc.freeze()


def create_app(settings: Settings, database: Database | None = None) -> Starlette:
    database = database or Database(settings)
    site = Site(
        settings,
        database,
        make_environment(settings),
        Passwords(settings),
        fragments=FragmentCache(settings.page_cache_mb * 1024 * 1024),
    )
    site.org_sections.append(forum_pages.org_section)
    site.org_sections.append(mailbox_public_routes.org_section)
    site.find_thread = forum_routes.thread_ref
    site.thread_sections.append(poll_routes.SECTION)
    moderation_registry.register(PostAdapter(Notifier(settings.site_url, settings.mail_enabled)))
    moderation_registry.register(ObjectionAdapter())
    moderation_registry.register(LetterAdapter())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Pages are mostly CPU under the GIL: a few threads queue requests in order, where
        # anyio's default forty make them take turns and stretch the slowest ones.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        settle_memory(site)
        # Mail goes out from a thread of each process, never from a request (grassroots/mail.py).
        sender = MailSender(database, settings) if settings.mail_enabled else None
        app.state.mail_sender = sender
        if sender is not None:
            sender.start()
        yield
        if sender is not None:
            await anyio.to_thread.run_sync(sender.stop)
        gc.unfreeze()
        database.dispose()

    routes = [
        *site_routes.routes,
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        Mount("/admin", routes=admin_routes.routes, name="admin"),
        # Account pages live at the top (/login, /me); a Mount("") would swallow every 405.
        *account_routes.routes,
        *notification_routes.routes,
        Mount("/o", routes=org_routes.routes, name="orgs"),
        *forum_pages.routes,
        Mount("/forum", routes=[*forum_manage_routes.routes, *forum_routes.routes], name="forum"),
        Mount(
            "/mailbox",
            routes=[*mailbox_public_routes.routes, *mailbox_inbox_routes.routes, *mailbox_routes.routes],
            name="mailbox",
        ),
        Mount("/moderation", routes=moderation_routes.routes, name="moderation"),
        *disclosure_pages.feed_routes,
        Mount(
            "/disclosure",
            routes=[
                *disclosure_manage_routes.routes,
                *disclosure_objection_routes.routes,
                *disclosure_pages.routes,
            ],
            name="disclosure",
        ),
        *voting_routes.feed_routes,
        Mount("/elections", routes=[*voting_manage_routes.routes, *voting_routes.routes], name="elections"),
        Mount("/polls", routes=poll_routes.routes, name="polls"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(LocaleMiddleware),
            Middleware(SecurityHeadersMiddleware),
            Middleware(BodyLimitMiddleware, settings=settings),
        ],
        exception_handlers={HTTPException: http_error, DBAPIError: database_error, 500: server_error},
        lifespan=lifespan,
    )
    app.state.site = site
    return app


def app_from_env() -> Starlette:
    """For uvicorn's --factory: each worker process reads the settings once."""
    return create_app(Settings.from_env())
