"""Passwords, session tokens, CSRF tokens, rate limits and security headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grassroots.db import Base, UTCDateTime, utcnow
from grassroots.settings import Settings

# ---------------------------------------------------------------- passwords


class Passwords:
    """argon2id with the configured cost; `verify` says when a stored hash should be redone."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=2,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)


# ---------------------------------------------------------------- tokens


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(secret_key: str, session_key: str) -> str:
    """A token bound to one browser session: a token from another session never matches."""
    mac = hmac.new(secret_key.encode(), b"csrf:" + session_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def csrf_token_valid(secret_key: str, session_key: str | None, submitted: str | None) -> bool:
    if not session_key or not submitted:
        return False
    return hmac.compare_digest(csrf_token_for(secret_key, session_key), submitted)


# ---------------------------------------------------------------- rate limits


class RateLimitEvent(Base):
    """One counted event (a failed login, a post) for a bucket and key. Kept in the database so
    every process and host sees the same counts."""

    __tablename__ = "rate_limit_events"
    __table_args__ = (Index("ix_rate_limit_events_lookup", "bucket", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class Limit:
    bucket: str
    count: int
    window: timedelta


def seconds_until_allowed(db: Session, limit: Limit, key: str) -> int:
    """0 when another event is allowed now; else how long until the oldest counted one expires."""
    since = utcnow() - limit.window
    where = (RateLimitEvent.bucket == limit.bucket, RateLimitEvent.key == key, RateLimitEvent.at > since)
    count, oldest = db.execute(select(func.count(), func.min(RateLimitEvent.at)).where(*where)).one()
    if count < limit.count:
        return 0
    return max(1, int((oldest + limit.window - utcnow()).total_seconds()) + 1)


def count_event(db: Session, limit: Limit, key: str) -> None:
    """Count one event, and forget this bucket's events that no longer count, so the table
    holds at most one window of them."""
    db.execute(
        delete(RateLimitEvent).where(
            RateLimitEvent.bucket == limit.bucket, RateLimitEvent.at <= utcnow() - limit.window
        )
    )
    db.add(RateLimitEvent(bucket=limit.bucket, key=key[:128]))


def clear_events(db: Session, limit: Limit, key: str) -> None:
    db.execute(
        delete(RateLimitEvent).where(RateLimitEvent.bucket == limit.bucket, RateLimitEvent.key == key[:128])
    )


# ---------------------------------------------------------------- headers

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    """Adds the headers of DESIGN.md to every response, and HSTS when served over https."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
