"""Settings, read from GRASSROOTS_* environment variables once and passed down."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from grassroots import PROJECT_ROOT

MEDIA_SUFFIX = "/media"

# Each setting: (environment variable, help text). The README documents every one and a
# test checks that it does.
DOCUMENTED = {
    "GRASSROOTS_DATA_DIR": "where the SQLite database, the generated secret key and uploads live",
    "GRASSROOTS_DATABASE_URL": "SQLAlchemy URL; postgresql+psycopg://… for PostgreSQL",
    "GRASSROOTS_SECRET_KEY": "signs CSRF tokens; generated into the data directory when unset",
    "GRASSROOTS_MAX_BODY_BYTES": "largest request body accepted (413 beyond it)",
    "GRASSROOTS_MAX_UPLOAD_BYTES": "largest body of a media upload form (a candidate's photo and video)",
    "GRASSROOTS_SESSION_DAYS": "how long a login lasts without use",
    "GRASSROOTS_TIMEZONE": "time zone for organizations that name none",
    "GRASSROOTS_LOGIN_LIMIT_ACCOUNT": "failed logins allowed per account per window",
    "GRASSROOTS_LOGIN_LIMIT_ADDRESS": "failed logins allowed per client address per window",
    "GRASSROOTS_LOGIN_WINDOW_SECONDS": "the window of those two limits",
    "GRASSROOTS_ARGON2_TIME_COST": "argon2id passes; raising it rehashes passwords at next login",
    "GRASSROOTS_ARGON2_MEMORY_KIB": "argon2id memory in KiB; raising it rehashes at next login",
    "GRASSROOTS_FORWARDED_ALLOW_IPS": "proxy addresses whose X-Forwarded-For/-Proto are trusted",
    "GRASSROOTS_THREADS": "threads per worker process that run pages",
    "GRASSROOTS_PAGE_CACHE_MB": "memory per worker process for pages drawn once for many readers",
    "GRASSROOTS_SMTP_URL": "mail server, smtp://, smtp+starttls:// or smtps://user:password@host:port",
    "GRASSROOTS_MAIL_FROM": "the From of the site's mail",
    "GRASSROOTS_SITE_URL": "the site's public address, for absolute links in mail and feeds",
    "GRASSROOTS_MAILBOX_ATTACHMENT_BYTES": "largest file attached to a letter to the secretary",
}

SMTP_SCHEMES: dict[str, tuple[Literal["plain", "starttls", "tls"], int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes, parsed from GRASSROOTS_SMTP_URL once rather than at every send."""

    security: Literal["plain", "starttls", "tls"]
    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://`, `smtp+starttls://` or `smtps://[user:password@]host[:port]`; user and password
    percent-decoded, so `%40` in a user name is an @. Raises ValueError saying what is wrong."""
    parts = urlsplit(url)
    scheme = SMTP_SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise ValueError(f"must start with one of {', '.join(s + '://' for s in SMTP_SCHEMES)}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("has a port that is not a number from 1 to 65535") from None
    if port == 0:
        raise ValueError("has a port that is not a number from 1 to 65535")
    if not parts.hostname:
        raise ValueError("names no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("must end after host:port")
    security, default_port = scheme
    return SmtpServer(
        security=security,
        host=parts.hostname,
        port=default_port if port is None else port,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    database_url: str = ""
    secret_key: str = ""
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 50 * 1024 * 1024
    session_days: int = 30
    timezone: str = "Asia/Shanghai"
    login_limit_account: int = 5
    login_limit_address: int = 20
    login_window_seconds: int = 900
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    forwarded_allow_ips: str = "127.0.0.1"
    threads: int = 2
    page_cache_mb: int = 64
    smtp_url: str = field(default="", repr=False)
    mail_from: str = "Grassroots <noreply@localhost>"
    site_url: str = "http://127.0.0.1:8000"
    mailbox_attachment_bytes: int = 768 * 1024
    templates_dir: Path = PROJECT_ROOT / "templates"
    # Parsed from smtp_url when the object is made; None when the site sends no mail.
    smtp: SmtpServer | None = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.smtp_url:
            object.__setattr__(self, "smtp", parse_smtp_url(self.smtp_url))

    def body_limit(self, path: str) -> int:
        """Media upload forms (their paths end in MEDIA_SUFFIX) take large files; others not."""
        return (
            max(self.max_upload_bytes, self.max_body_bytes)
            if path.endswith(MEDIA_SUFFIX)
            else self.max_body_bytes
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()
        data_dir = Path(env.get("GRASSROOTS_DATA_DIR") or defaults.data_dir)
        settings = cls(
            data_dir=data_dir,
            database_url=env.get("GRASSROOTS_DATABASE_URL", ""),
            secret_key=env.get("GRASSROOTS_SECRET_KEY", ""),
            max_body_bytes=_int(env, "GRASSROOTS_MAX_BODY_BYTES", defaults.max_body_bytes),
            max_upload_bytes=_int(env, "GRASSROOTS_MAX_UPLOAD_BYTES", defaults.max_upload_bytes),
            session_days=_int(env, "GRASSROOTS_SESSION_DAYS", defaults.session_days),
            timezone=env.get("GRASSROOTS_TIMEZONE", defaults.timezone),
            login_limit_account=_int(env, "GRASSROOTS_LOGIN_LIMIT_ACCOUNT", defaults.login_limit_account),
            login_limit_address=_int(env, "GRASSROOTS_LOGIN_LIMIT_ADDRESS", defaults.login_limit_address),
            login_window_seconds=_int(env, "GRASSROOTS_LOGIN_WINDOW_SECONDS", defaults.login_window_seconds),
            argon2_time_cost=_int(env, "GRASSROOTS_ARGON2_TIME_COST", defaults.argon2_time_cost),
            argon2_memory_kib=_int(env, "GRASSROOTS_ARGON2_MEMORY_KIB", defaults.argon2_memory_kib),
            forwarded_allow_ips=env.get("GRASSROOTS_FORWARDED_ALLOW_IPS", defaults.forwarded_allow_ips),
            threads=_int(env, "GRASSROOTS_THREADS", defaults.threads),
            page_cache_mb=_int(env, "GRASSROOTS_PAGE_CACHE_MB", defaults.page_cache_mb),
            smtp_url=_smtp_url(env, "GRASSROOTS_SMTP_URL"),
            mail_from=_mail_from(env, "GRASSROOTS_MAIL_FROM", defaults.mail_from),
            site_url=_site_url(env, "GRASSROOTS_SITE_URL", defaults.site_url),
            mailbox_attachment_bytes=_int(
                env, "GRASSROOTS_MAILBOX_ATTACHMENT_BYTES", defaults.mailbox_attachment_bytes
            ),
        )
        return settings.resolved()

    def resolved(self) -> Settings:
        """Fill what is derived: the SQLite URL in the data directory, the secret key file."""
        database_url = self.database_url or f"sqlite:///{self.data_dir / 'grassroots.db'}"
        secret_key = self.secret_key or _secret_from_file(self.data_dir)
        return replace(self, database_url=database_url, secret_key=secret_key)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def mail_enabled(self) -> bool:
        """Whether to queue mail at all: without a server, rows would only pile up."""
        return self.smtp is not None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None


def _smtp_url(env: Mapping[str, str], name: str) -> str:
    raw = env.get(name, "").strip()
    if raw:
        try:
            parse_smtp_url(raw)
        except ValueError as exc:
            raise SystemExit(f"{name} {exc}; e.g. smtps://user:password@smtp.example.org") from None
    return raw


def _mail_from(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name) or default
    if "@" not in parseaddr(raw)[1]:
        raise SystemExit(f"{name} must be an address such as 'Name <name@example.org>', not {raw!r}")
    return raw


def _site_url(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name) or default
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SystemExit(f"{name} must be an http:// or https:// address, not {raw!r}")
    return raw.rstrip("/")


def _secret_from_file(data_dir: Path) -> str:
    """Generate the key on first run. Several workers may race: each writes its own temporary
    file and links it into place, which only the first can do, so all read the same key."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    if not path.exists():
        tmp = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
