"""Accounts: registration, logging in and out, profile changes, login sessions."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, contains_eager

from grassroots import audit
from grassroots.accounts.models import AuthSession, User
from grassroots.accounts.validation import (
    display_name_problem,
    normalize_username,
    password_problem,
    username_problem,
)
from grassroots.audit import AuditAction
from grassroots.db import utcnow
from grassroots.errors import FormInvalid, Throttled
from grassroots.i18n import gettext as _
from grassroots.security import (
    Limit,
    Passwords,
    clear_events,
    count_event,
    new_token,
    seconds_until_allowed,
    token_digest,
)
from grassroots.settings import Settings


class LoginFailed(FormInvalid):
    def __init__(self) -> None:
        super().__init__({"password": _("That username and password do not match.")})


def get_user_by_username(db: Session, username: str) -> User | None:
    return db.scalars(select(User).where(User.username == normalize_username(username))).one_or_none()


def create_user(
    db: Session,
    passwords: Passwords,
    *,
    username: str,
    password: str,
    display_name: str = "",
    is_admin: bool = False,
    password_hash: str | None = None,
) -> User:
    """Validate and create an account; raises FormInvalid with a message per field."""
    username = normalize_username(username)
    display_name = display_name.strip() or username
    errors = {
        field: problem
        for field, problem in (
            ("username", username_problem(username)),
            ("display_name", display_name_problem(display_name)),
            ("password", None if password_hash else password_problem(password)),
        )
        if problem
    }
    if "username" not in errors and get_user_by_username(db, username) is not None:
        errors["username"] = _("That username is taken; please choose another.")
    if errors:
        raise FormInvalid(errors)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=password_hash or passwords.hash(password),
        is_admin=is_admin,
    )
    db.add(user)
    db.flush()
    return user


def login_limits(settings: Settings) -> tuple[Limit, Limit]:
    window = timedelta(seconds=settings.login_window_seconds)
    return (
        Limit("login-account", settings.login_limit_account, window),
        Limit("login-address", settings.login_limit_address, window),
    )


def authenticate(
    db: Session,
    passwords: Passwords,
    settings: Settings,
    *,
    username: str,
    password: str,
    client_address: str,
) -> User:
    """The user whose password this is. Raises Throttled after too many failures for the
    account or the address, LoginFailed otherwise. Rehashes when the cost settings changed."""
    by_account, by_address = login_limits(settings)
    account_key = normalize_username(username)[:64]
    wait = max(
        seconds_until_allowed(db, by_account, account_key),
        seconds_until_allowed(db, by_address, client_address),
    )
    if wait:
        minutes = (wait + 59) // 60
        raise Throttled(
            _("Too many failed attempts. Please wait %(minutes)d minutes and try again.", minutes=minutes),
            wait,
        )
    user = get_user_by_username(db, username) if len(account_key) <= 32 else None
    if user is None or not passwords.verify(user.password_hash, password[:256]):
        count_event(db, by_account, account_key)
        count_event(db, by_address, client_address)
        raise LoginFailed()
    clear_events(db, by_account, account_key)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    user.last_login_at = utcnow()
    return user


def start_session(
    db: Session, settings: Settings, user: User, *, client_address: str, user_agent: str
) -> tuple[str, AuthSession]:
    """A new login session, and the token for its cookie (only the token's hash is stored)."""
    token = new_token()
    now = utcnow()
    auth_session = AuthSession(
        token_hash=token_digest(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=settings.session_days),
        client_address=client_address[:64],
        user_agent=user_agent[:200],
    )
    db.add(auth_session)
    return token, auth_session


def find_session(db: Session, token: str) -> AuthSession | None:
    query = (
        select(AuthSession)
        .join(AuthSession.user)
        .options(contains_eager(AuthSession.user))
        .where(AuthSession.token_hash == token_digest(token), AuthSession.expires_at > utcnow())
    )
    return db.scalars(query).one_or_none()


def touch_session(auth_session: AuthSession, settings: Settings) -> None:
    """Sliding expiry, written at most once an hour."""
    now = utcnow()
    if now - auth_session.last_seen_at > timedelta(hours=1):
        auth_session.last_seen_at = now
        auth_session.expires_at = now + timedelta(days=settings.session_days)


def session_is_stale(auth_session: AuthSession) -> bool:
    """A session only read with is refreshed once a day, in a write of its own."""
    return utcnow() - auth_session.last_seen_at > timedelta(days=1)


def refresh_session(db: Session, auth_session_id: int, settings: Settings) -> None:
    auth_session = db.get(AuthSession, auth_session_id)
    if auth_session is not None:
        touch_session(auth_session, settings)


def end_session(db: Session, auth_session_id: int) -> None:
    db.execute(delete(AuthSession).where(AuthSession.id == auth_session_id))


def end_other_sessions(db: Session, user: User, keep_session_id: int) -> int:
    result = db.execute(
        delete(AuthSession).where(AuthSession.user_id == user.id, AuthSession.id != keep_session_id)
    )
    return result.rowcount or 0


def list_sessions(db: Session, user: User) -> list[AuthSession]:
    query = (
        select(AuthSession).where(AuthSession.user_id == user.id).order_by(AuthSession.last_seen_at.desc())
    )
    return list(db.scalars(query))


def change_display_name(user: User, display_name: str) -> None:
    display_name = display_name.strip()
    problem = display_name_problem(display_name)
    if problem:
        raise FormInvalid({"display_name": problem})
    user.display_name = display_name


EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def change_email(user: User, email: str) -> None:
    """Where notifications are mailed; empty for none."""
    email = email.strip()
    if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
        raise FormInvalid(
            {"email": _("Please give an e-mail address like name@example.com, or leave it empty.")}
        )
    user.email = email


def change_password(
    db: Session, passwords: Passwords, user: User, *, current: str, new: str, keep_session_id: int
) -> None:
    """Check the current password, set the new one and end the user's other sessions."""
    if not passwords.verify(user.password_hash, current[:256]):
        raise FormInvalid({"current_password": _("That is not your current password.")})
    problem = password_problem(new)
    if problem:
        raise FormInvalid({"new_password": problem})
    user.password_hash = passwords.hash(new)
    end_other_sessions(db, user, keep_session_id)


def set_admin(db: Session, *, actor: User | None, user: User, is_admin: bool) -> None:
    if user.is_admin == is_admin:
        return
    user.is_admin = is_admin
    action = AuditAction.ACCOUNT_ADMIN_GRANT if is_admin else AuditAction.ACCOUNT_ADMIN_REVOKE
    audit.record(db, actor=actor, action=action, subject=user, data={"username": user.username})


def list_admins(db: Session) -> list[User]:
    return list(db.scalars(select(User).where(User.is_admin.is_(True)).order_by(User.username)))
