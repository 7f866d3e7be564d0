"""The one place that knows how a request meets the database.

Feature code writes plain synchronous views, `def view(ctx: Context) -> Response`, and wraps
them in `@view`. The wrapper reads the form (the only async part), then runs the view in the
thread pool inside one unit of work: a reading session for GET and HEAD, a writing session for
everything else, committed when the view returns a response and rolled back when it raises. It
resolves the login session, checks the CSRF token of every unsafe request, and turns domain
errors into friendly pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import quote

import jinja2
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from grassroots import notifications, policy
from grassroots.accounts import services as accounts
from grassroots.accounts.models import AuthSession, User
from grassroots.accounts.organizations import roles_of
from grassroots.accounts.tree import OrgRef, OrgTree, load_org_tree
from grassroots.db import Database
from grassroots.error_text import error_explanation, error_heading
from grassroots.errors import DomainError, NotPermitted
from grassroots.fragments import FragmentCache
from grassroots.i18n import gettext as _
from grassroots.numbers import to_int
from grassroots.security import Limit, Passwords, count_event, csrf_token_for, csrf_token_valid, new_token
from grassroots.settings import Settings
from grassroots.threads import ThreadRef, ThreadSection, no_thread

T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "gr_session"
ANON_COOKIE = "gr_anon"
MAX_FORM_FIELDS = 200


@dataclass
class Site:
    """What every request needs, built once per process by create_app."""

    settings: Settings
    database: Database
    templates: jinja2.Environment
    passwords: Passwords
    fragments: FragmentCache = field(default_factory=lambda: FragmentCache(0))
    # What features add to an organization's front page, each drawn by fn(ctx, org) -> HTML.
    org_sections: list[Callable[[Context, OrgRef], Markup]] = field(default_factory=list)
    # What features add to a forum thread's page, and how they find a thread the reader may read
    # (given by the forum; grassroots/threads.py).
    thread_sections: list[ThreadSection] = field(default_factory=list)
    find_thread: Callable[[Context, int], ThreadRef | None] = no_thread


@dataclass(frozen=True)
class Upload:
    """A file that came with a form, read whole (the body limit bounds its size)."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Submission:
    fields: dict[str, list[str]]
    files: dict[str, Upload]


@dataclass(frozen=True)
class Viewer:
    """What the layout shows of the person looking, copied out of the session so that an error
    page can still be drawn after its transaction rolled back."""

    user_id: int
    username: str
    display_name: str
    is_admin: bool


class CsrfFailed(Exception):
    pass


class LoginRequired(Exception):
    pass


class Context:
    """One request as a view sees it."""

    def __init__(self, request: Request, site: Site, db: Session, submission: Submission | None) -> None:
        self.request = request
        self.site = site
        self.settings = site.settings
        self.db = db
        self.form = submission.fields if submission else {}
        self.files = submission.files if submission else {}
        self.user: User | None = None
        self.auth_session: AuthSession | None = None
        self.viewer: Viewer | None = None
        self.stale_session_id: int | None = None
        # Rate-limit events a reading view counts (a wrong code typed into a GET form),
        # written in a unit of their own once the view is done.
        self.events_to_count: list[tuple[Limit, str]] = []
        self._actor: policy.Actor | None = None
        self._tree: OrgTree | None = None
        self._unread: int | None = None
        # Error pages are drawn after the unit of work ended: nothing more is read then.
        self.unit_closed = False
        self._session_token: str | None = None
        self._anon_key = request.cookies.get(ANON_COOKIE) or None
        self._cookies: list[tuple[str, str | None, int | None]] = []

    # ------------------------------------------------------------ who is asking

    def authenticate(self) -> None:
        token = self.request.cookies.get(SESSION_COOKIE)
        if not token:
            return
        found = accounts.find_session(self.db, token[:100])
        if found is None:
            self._cookies.append((SESSION_COOKIE, None, None))
            return
        self._set_user(found.user, found, token)
        if self.request.method not in SAFE_METHODS:
            accounts.touch_session(found, self.settings)
        elif accounts.session_is_stale(found):
            self.stale_session_id = found.id

    def _set_user(self, user: User, auth_session: AuthSession, token: str) -> None:
        self.user, self.auth_session, self._session_token = user, auth_session, token
        self.viewer = Viewer(user.id, user.username, user.display_name, user.is_admin)

    # Plain lazy attributes: functools.cached_property takes a lock shared by every Context
    # in the process on Python 3.11, which made requests wait for each other's queries.
    @property
    def actor(self) -> policy.Actor:
        if self._actor is None:
            self._actor = (
                policy.ANONYMOUS
                if self.user is None
                else policy.Actor(self.user.id, self.user.is_admin, roles_of(self.db, self.user.id))
            )
        return self._actor

    @property
    def unread_notifications(self) -> int:
        if self.user is None or (self._unread is None and self.unit_closed):
            return 0
        if self._unread is None:
            self._unread = notifications.unread_count(self.db, self.user.id)
        return self._unread

    @property
    def moderates(self) -> bool:
        """For the layout's link to the queue; nothing is read once the unit of work ended."""
        if self.viewer is None or (self._actor is None and self.unit_closed):
            return bool(self.viewer and self.viewer.is_admin)
        return policy.moderates_somewhere(self.actor)

    @property
    def tree(self) -> OrgTree:
        if self._tree is None:
            self._tree = load_org_tree(self.db)
        return self._tree

    def require(self, allowed: bool) -> None:
        """Stop here unless the policy allowed it: the public is sent to log in first."""
        if allowed:
            return
        if self.user is None:
            raise LoginRequired
        raise NotPermitted(_("You may not do that here."))

    def require_login(self) -> User:
        if self.user is None:
            raise LoginRequired
        return self.user

    @property
    def client_address(self) -> str:
        return self.request.client.host if self.request.client else "unknown"

    def login(self, user: User) -> None:
        """Start a fresh session (the old token, if any, dies: no session fixation)."""
        if self.auth_session is not None:
            accounts.end_session(self.db, self.auth_session.id)
        token, new_session = accounts.start_session(
            self.db,
            self.settings,
            user,
            client_address=self.client_address,
            user_agent=self.request.headers.get("user-agent", ""),
        )
        self.db.flush()
        self._set_user(user, new_session, token)
        self._cookies.append((SESSION_COOKIE, token, self.settings.session_days * 86400))
        self._cookies.append((ANON_COOKIE, None, None))
        self._actor = None

    def logout(self) -> None:
        if self.auth_session is not None:
            accounts.end_session(self.db, self.auth_session.id)
        self.user = self.auth_session = self.viewer = self._session_token = None
        self._cookies.append((SESSION_COOKIE, None, None))
        self._actor = None

    # ------------------------------------------------------------ CSRF

    def _session_key(self) -> str | None:
        return self._session_token or self._anon_key

    def csrf_token(self) -> str:
        if self._session_key() is None:
            self._anon_key = new_token()
            self._cookies.append((ANON_COOKIE, self._anon_key, 86400))
        key = self._session_key()
        assert key is not None
        return csrf_token_for(self.settings.secret_key, key)

    def check_csrf(self) -> None:
        if not csrf_token_valid(self.settings.secret_key, self._session_key(), self.field("csrf_token")):
            raise CsrfFailed

    # ------------------------------------------------------------ input

    def field(self, name: str, default: str = "") -> str:
        values = self.form.get(name)
        return values[0] if values else default

    def fields(self, name: str) -> list[str]:
        return list(self.form.get(name, []))

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default).replace("\x00", "\ufffd")

    def int_field(self, name: str) -> int | None:
        return to_int(self.field(name))

    def path_int(self, name: str) -> int:
        """A numeric path parameter; anything else is an unknown page."""
        value = to_int(str(self.request.path_params.get(name, "")))
        if value is None:
            raise HTTPException(404)
        return value

    # ------------------------------------------------------------ output

    def url(self, name: str, **params: Any) -> str:
        return str(self.request.app.url_path_for(name, **params))

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        page = self.site.templates.get_template(template)
        html = page.render(ctx=self, viewer=self.viewer, request=self.request, **values)
        return HTMLResponse(html, status_code=status_code)

    def redirect(self, path: str) -> RedirectResponse:
        return RedirectResponse(path, status_code=303)

    def apply_cookies(self, response: Response) -> None:
        secure = self.request.url.scheme == "https"
        for name, value, max_age in self._cookies:
            if value is None:
                response.delete_cookie(name, httponly=True, samesite="lax", secure=secure)
            else:
                response.set_cookie(
                    name, value, max_age=max_age, httponly=True, samesite="lax", secure=secure
                )


async def read_form(request: Request, settings: Settings) -> Submission:
    """The submitted fields as text, and any files as bytes. A NUL, which PostgreSQL refuses to
    store, becomes U+FFFD: visible, and refused by every name check."""
    try:
        limit = settings.body_limit(request.url.path)
        form = await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=limit)
    except MultiPartException as exc:
        raise HTTPException(400, detail=str(exc)) from exc
    submission = Submission({}, {})
    for key, value in form.multi_items():
        key = key.replace("\x00", "\ufffd")
        if isinstance(value, UploadFile):
            data = await value.read()
            if data or value.filename:
                submission.files[key] = Upload(value.filename or "", value.content_type or "", data)
            await value.close()
        else:
            submission.fields.setdefault(key, []).append(value.replace("\x00", "\ufffd"))
    await form.close()
    return submission


View = Callable[[Context], Response]


def _without_nul(params: dict[str, Any]) -> dict[str, Any]:
    """Path parameters as read_form treats fields and Context.query the query string: a NUL,
    which PostgreSQL refuses even to compare, becomes U+FFFD."""
    return {k: v.replace("\x00", "\ufffd") if isinstance(v, str) else v for k, v in params.items()}


def answered_from_memory(
    endpoint: Callable[[Request], Any],
    *,
    kept: Callable[[Site], T | None],
    read: Callable[[Site], T],
    answer: Callable[[Request, T], Response | None],
) -> Callable[[Request], Any]:
    """A fast path for the public in front of a view: `answer` sends a page this worker keeps
    in memory, with no thread, session or query, given the state its key depends on (`kept`,
    or, when that is too old, `read` in a thread); when it has none, the view runs."""

    async def endpoint_from_memory(request: Request) -> Response:
        if SESSION_COOKIE in request.cookies:
            return await endpoint(request)
        site: Site = request.app.state.site
        state = kept(site)
        if state is None:
            state = await run_in_threadpool(read, site)
        found = answer(request, state)
        return found if found is not None else await endpoint(request)

    return endpoint_from_memory


def view(fn: View) -> Callable[[Request], Any]:
    """Make a Starlette endpoint of a synchronous view (see the module docstring)."""

    @wraps(fn)
    async def endpoint(request: Request) -> Response:
        site: Site = request.app.state.site
        request.scope["path_params"] = _without_nul(request.path_params)
        form = None if request.method in SAFE_METHODS else await read_form(request, site.settings)
        return await run_in_threadpool(run_view, site, request, form, fn)

    return endpoint


def run_view(site: Site, request: Request, form: Submission | None, fn: View) -> Response:
    unit = site.database.reading if request.method in SAFE_METHODS else site.database.writing
    ctx: Context | None = None
    try:
        try:
            with unit() as db:
                ctx = Context(request, site, db, form)
                ctx.authenticate()
                if request.method not in SAFE_METHODS:
                    ctx.check_csrf()
                response = fn(ctx)
        finally:
            if ctx is not None:
                ctx.unit_closed = True
    except CsrfFailed:
        assert ctx is not None
        response = csrf_failed_page(ctx)
    except LoginRequired:
        assert ctx is not None
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    except (HTTPException, DomainError) as exc:
        if ctx is None:
            raise
        status = exc.status_code
        message = exc.message if isinstance(exc, DomainError) else ""
        response = error_page(ctx, status, message)
    assert ctx is not None
    if ctx.stale_session_id is not None:
        # Reads run in a read-only unit; a login used only for reading is kept alive apart.
        with site.database.writing() as db:
            accounts.refresh_session(db, ctx.stale_session_id, site.settings)
    if ctx.events_to_count:
        with site.database.writing() as db:
            for limit, key in ctx.events_to_count:
                count_event(db, limit, key)
    ctx.apply_cookies(response)
    return response


def error_page(ctx: Context, status: int, message: str = "") -> HTMLResponse:
    return ctx.render(
        "errors/error.html",
        status_code=status,
        heading=error_heading(status),
        message=message or error_explanation(status),
    )


def typed_field_labels() -> dict[str, str]:
    """Fields a person types into, by name, as the CSRF page labels them again. Any other
    field (choices, hidden values) is carried along unseen."""
    return {
        "username": _("Username"),
        "display_name": _("Name shown to others"),
        "admin_username": _("Username"),
        "message": _("A note for the secretary (optional)"),
        "code": _("Invite code from your secretary"),
        "roll": _("Member roll"),
        "name": _("Organization name"),
        "slug": _("Web address"),
        "description": _("Description"),
        "email": _("E-mail for notifications (optional)"),
        "title": _("Title"),
        "body": _("Your post"),
        "summary": _("Summary of the response"),
        "moderators": _("Moderators (usernames)"),
        "deadline": _("Deadline for opinions"),
        "subject": _("Subject"),
        "contact": _("How to reach you (optional)"),
        "reply": _("Reply"),
        "note": _("Internal note"),
        "message_text": _("Your message"),
        "reopen_reason": _("What is still wrong"),
        "question": _("Poll question"),
        "options": _("Options, one a line"),
    }


def csrf_failed_page(ctx: Context) -> HTMLResponse:
    """Refuse the request but hand back everything typed (passwords excepted), so it can be
    sent again."""
    labels = typed_field_labels()
    kept = [
        (name, value, labels.get(name, ""))
        for name, values in ctx.form.items()
        if name != "csrf_token" and "password" not in name
        for value in values
    ]
    return ctx.render("errors/csrf.html", status_code=403, kept=kept, action=ctx.request.url.path)
