"""Outgoing e-mail: an outbox written inside the transaction that causes the mail, and a sender
that delivers it after the commit, outside any request.

Feature code calls `queue_mail(db, ...)` when `settings.mail_enabled`; nothing else. The row is
part of the caller's transaction, so rolled-back work sends nothing, and a page never waits for
a mail server. `MailSender` (started by the app's lifespan) delivers the rows from a thread:
woken right after a commit that queued mail, and every half minute for mail queued by other
processes or waiting for a retry. `deliver_pending()` is one round of that work, callable alone.

Several processes (workers, hosts) may deliver at once: each claims its rows in a short
transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer serializes), pushing
their `next_attempt_at` past the time a batch can take, and sends outside any transaction.
Delivery is at least once: a process that dies between sending and recording sends again.
"""

from __future__ import annotations

import email.policy
import ipaddress
import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from sqlalchemy import Engine, Index, Integer, String, Text, event, select, update
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from grassroots.db import Base, Database, UTCDateTime, utcnow
from grassroots.settings import Settings

log = logging.getLogger("grassroots.mail")

MAX_ATTEMPTS = 5
BATCH = 20
POLL_SECONDS = 30.0
# Per socket operation. Bounds how long a batch can take, and so how long its claim must last.
SMTP_TIMEOUT = 20.0
# Headers RFC 2047-encoded, a non-ASCII body in base64: no reliance on the server's 8BITMIME.
_POLICY = email.policy.SMTP.clone(cte_type="7bit")
_QUEUED = "grassroots.mail.queued"


class OutgoingMail(Base):
    """An e-mail waiting to be sent. Only committed work leaves a row here, so only committed
    work sends mail. `next_attempt_at` is when a sender may next try it; NULL once it was sent
    or given up (then `last_error` says why)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_pending", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow, index=True)


def queue_mail(db: Session, *, to_address: str, subject: str, body: str) -> OutgoingMail:
    """Add a mail to the outbox in the caller's transaction; it is sent only if that commits.
    Call it only when `settings.mail_enabled`: without a server the rows would pile up."""
    mail = OutgoingMail(to_address=to_address, subject=subject[:200], body=body)
    db.add(mail)
    db.info[_QUEUED] = True
    return mail


# ---------------------------------------------------------------- waking a sender after commit

_subscribers: dict[object, tuple[Engine, Callable[[], None]]] = {}
_subscribers_lock = threading.Lock()


def on_mail_committed(database: Database, callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` after each commit on `database` of a session that queued mail; returns
    the function that stops it. The callback runs in the committing thread: keep it instant.

    Subscribers live in this registry, behind two listeners set once at import, because
    adding and removing SQLAlchemy listeners is not safe while other threads commit."""
    key = object()
    with _subscribers_lock:
        _subscribers[key] = (database.write_engine, callback)

    def unsubscribe() -> None:
        with _subscribers_lock:
            _subscribers.pop(key, None)

    return unsubscribe


@event.listens_for(Session, "after_commit")
def _announce_committed_mail(session: Session) -> None:
    if not session.info.pop(_QUEUED, False):
        return
    bind = session.bind
    engine = getattr(bind, "engine", bind)  # a session may be bound to a Connection
    with _subscribers_lock:
        callbacks = [callback for target, callback in _subscribers.values() if target is engine]
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_transaction_end")
def _forget_uncommitted_mail(session: Session, transaction: SessionTransaction) -> None:
    """A rollback (or a close without commit) took the rows with it: nothing to announce, and
    the session's next transaction starts clean. After a commit the flag is already gone."""
    if transaction.parent is None:
        session.info.pop(_QUEUED, None)


# ---------------------------------------------------------------- delivering


@dataclass(frozen=True)
class _Claimed:
    """A claimed row, copied out of its session: sending happens after that session closed."""

    id: int
    to_address: str
    subject: str
    body: str
    created_at: datetime
    attempts: int


@dataclass(frozen=True)
class _Failure:
    permanent: bool
    error: str


def deliver_pending(database: Database, settings: Settings, *, limit: int = BATCH) -> int:
    """Send up to `limit` mails that are due, and return how many were sent.

    Safe to run in several threads and processes at once: each row goes to one of them.
    Failures do not raise: they are logged and recorded on the row, which is retried later
    (4xx, connection trouble) or given up (5xx, or after MAX_ATTEMPTS). Only a failing
    database raises. Does nothing when the site has no SMTP server."""
    return _deliver_batch(database, settings, limit)[1]


def _deliver_batch(database: Database, settings: Settings, limit: int) -> tuple[int, int]:
    """(rows claimed, mails sent)."""
    if settings.smtp is None:
        return 0, 0
    batch = _claim(database, limit)
    sent = 0

    def record(mail: _Claimed, failure: _Failure | None) -> None:
        nonlocal sent
        _record(database, mail, failure)
        sent += failure is None

    if batch:
        _send_all(settings, batch, record)
    return len(batch), sent


def _claim(database: Database, limit: int) -> list[_Claimed]:
    """Take the due rows and push them out of everyone else's reach for longer than sending
    them can take; a process that dies meanwhile leaves them to be retried after that."""
    now = utcnow()
    hold_until = now + timedelta(minutes=5) + limit * 3 * timedelta(seconds=SMTP_TIMEOUT)
    query = (
        select(OutgoingMail)
        .where(OutgoingMail.next_attempt_at <= now)
        .order_by(OutgoingMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # nothing on SQLite, whose writer is alone anyway
    )
    with database.writing() as db:
        rows = list(db.scalars(query))
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = hold_until
        return [
            _Claimed(row.id, row.to_address, row.subject, row.body, row.created_at, row.attempts)
            for row in rows
        ]


def _record(database: Database, mail: _Claimed, failure: _Failure | None) -> None:
    now = utcnow()
    if failure is None:
        values: dict[str, object] = {"sent_at": now, "next_attempt_at": None, "last_error": ""}
    elif failure.permanent or mail.attempts >= MAX_ATTEMPTS:
        log.error("mail %s: gave up after %s attempt(s): %s", mail.id, mail.attempts, failure.error)
        values = {"next_attempt_at": None, "last_error": f"gave up: {failure.error}"}
    else:
        retry_at = now + retry_delay(mail.attempts)
        log.warning(
            "mail %s: attempt %s failed, retrying at %s: %s", mail.id, mail.attempts, retry_at, failure.error
        )
        values = {"next_attempt_at": retry_at, "last_error": failure.error}
    with database.writing() as db:
        db.execute(update(OutgoingMail).where(OutgoingMail.id == mail.id).values(values))


def retry_delay(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes: a server that is down for an hour still gets the mail."""
    return timedelta(minutes=4 ** max(attempts - 1, 0))


def _send_all(
    settings: Settings, batch: list[_Claimed], record: Callable[[_Claimed, _Failure | None], None]
) -> None:
    """Send the batch over one connection, recording each outcome as soon as it is known."""
    try:
        client = _connect(settings)
    except Exception as exc:  # unreachable, refused login, bad certificate: all wait and retry
        failure = _Failure(permanent=False, error=f"connecting: {_describe(exc)}")
        for mail in batch:
            record(mail, failure)
        return
    try:
        for index, mail in enumerate(batch):
            try:
                client.send_message(_message(settings, mail))
            except smtplib.SMTPServerDisconnected as exc:
                _connection_lost(batch[index:], exc, record)
                return
            # Refused (SMTPException is an OSError too, hence first): the connection still works.
            except (smtplib.SMTPException, ValueError) as exc:
                record(mail, _failure_of(exc))
            except OSError as exc:
                _connection_lost(batch[index:], exc, record)
                return
            else:
                record(mail, None)
    finally:
        _quit(client)


def _connection_lost(
    unsent: list[_Claimed], exc: BaseException, record: Callable[[_Claimed, _Failure | None], None]
) -> None:
    failure = _Failure(permanent=False, error=_describe(exc))
    for mail in unsent:
        record(mail, failure)


def _quit(client: smtplib.SMTP) -> None:
    """Say goodbye; the mail is already recorded, so a server that answers QUIT badly or not
    at all changes nothing."""
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def _connect(settings: Settings) -> smtplib.SMTP:
    server = settings.smtp
    assert server is not None
    name = _ehlo_name(settings.site_url)
    context = ssl.create_default_context()
    if server.security == "tls":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            server.host, server.port, local_hostname=name, timeout=SMTP_TIMEOUT, context=context
        )
    else:
        client = smtplib.SMTP(server.host, server.port, local_hostname=name, timeout=SMTP_TIMEOUT)
    try:
        if server.security == "starttls":
            client.starttls(context=context)
        if server.username:
            client.login(server.username, server.password)
    except BaseException:
        client.close()
        raise
    return client


def _ehlo_name(site_url: str) -> str:
    """The site's own host name; an address goes in brackets as RFC 5321 asks. Given rather
    than looked up, because smtplib's default, socket.getfqdn(), can wait seconds on DNS."""
    host = urlsplit(site_url).hostname or "localhost"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    return f"[IPv6:{address}]" if address.version == 6 else f"[{address}]"


def _message(settings: Settings, mail: _Claimed) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["From"] = settings.mail_from
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    # The same for every attempt, so a mail sent twice (a crash between sending and recording)
    # can be recognised as one by mail programs.
    stamp = mail.created_at.strftime("%Y%m%d%H%M%S")
    message["Message-ID"] = f"<{stamp}.{mail.id}@{urlsplit(settings.site_url).hostname or 'localhost'}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to robots
    message.set_content(mail.body)
    return message


def _failure_of(exc: Exception) -> _Failure:
    """5xx is the server's final word; 4xx and anything without a code may pass."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return _Failure(permanent=500 <= code < 600, error=f"{code} {_text(text)}")
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return _Failure(permanent=500 <= code < 600, error=f"{code} {_text(exc.smtp_error)}")
    # A header that cannot be written (a newline in an address), an address needing SMTPUTF8
    # the server lacks: trying again changes nothing.
    permanent = isinstance(exc, ValueError | smtplib.SMTPNotSupportedError)
    return _Failure(permanent=permanent, error=_describe(exc))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


# ---------------------------------------------------------------- the sender thread


class MailSender:
    """Delivers the outbox from a daemon thread of this process, so no page waits for a mail
    server. Woken by commits that queued mail (see `on_mail_committed`), and every
    `poll_seconds` for mail queued by other processes or waiting for a retry."""

    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        poll_seconds: float = POLL_SECONDS,
        batch: int = BATCH,
    ) -> None:
        self.database = database
        self.settings = settings
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a MailSender starts once")
        self._unsubscribe = on_mail_committed(self.database, self._wake.set)
        self._thread = threading.Thread(target=self._run, name="grassroots-mail", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = SMTP_TIMEOUT + 5) -> None:
        """Let the batch in hand finish, then end the thread. Blocks up to `timeout` seconds;
        a thread still stuck on a mail server after that ends with the process."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the mail sender is still busy after %s s; leaving it", timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before delivering: a commit meanwhile brings another round
            self._deliver_due()
            self._wake.wait(self.poll_seconds)

    def _deliver_due(self) -> None:
        """Batch after batch until one comes back short; a failure waits for the next round."""
        try:
            while not self._stopping.is_set():
                claimed, _sent = _deliver_batch(self.database, self.settings, self.batch)
                if claimed < self.batch:
                    return
        except Exception:
            log.exception("delivering mail failed; trying again in %s s", self.poll_seconds)
