"""Mail: the SMTP settings, the outbox and its delivery after commit, on both databases.

Delivery goes to tests/smtp_server.py, a real SMTP server in a thread of the test process.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from grassroots.app import create_app
from grassroots.db import Database, utcnow
from grassroots.mail import (
    MAX_ATTEMPTS,
    MailSender,
    OutgoingMail,
    deliver_pending,
    on_mail_committed,
    queue_mail,
)
from grassroots.settings import Settings, SmtpServer, parse_smtp_url
from tests.smtp_server import FakeSMTPServer

SUBJECT = "李华回复了你的帖子《关于小区停车位的意见》"
BODY = "李华回复了你的帖子：\n\n.以点开头的一行也要原样送到。\n\nhttp://127.0.0.1:8000/forum/t/1#p2\n"


@pytest.fixture
def smtp() -> Iterator[FakeSMTPServer]:
    with FakeSMTPServer() as server:
        yield server


@pytest.fixture
def mail_settings(settings: Settings, smtp: FakeSMTPServer) -> Settings:
    # A user name with an @ and a password with a colon and a slash, percent-encoded as URLs must.
    return replace(settings, smtp_url=smtp.url("site%40grassroots.test:pa%3Ass%2Fword"))


def queue(database: Database, to_address: str = "resident@example.org") -> int:
    with database.writing() as db:
        mail = queue_mail(db, to_address=to_address, subject=SUBJECT, body=BODY)
        db.flush()
        return mail.id


def outbox(database: Database) -> list[OutgoingMail]:
    with database.reading() as db:
        return list(db.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def make_due(database: Database) -> None:
    """As if every retry's wait had passed."""
    with database.writing() as db:
        db.execute(
            update(OutgoingMail)
            .where(OutgoingMail.next_attempt_at.is_not(None))
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", SmtpServer("plain", "mail.example.org", 25)),
        ("smtp://u:p@127.0.0.1:2525", SmtpServer("plain", "127.0.0.1", 2525, "u", "p")),
        (
            "smtp+starttls://me%40example.org:s%3Acret@smtp.example.org",
            SmtpServer("starttls", "smtp.example.org", 587, "me@example.org", "s:cret"),
        ),
        (
            "smtp+starttls://u:p@smtp.example.org:2587",
            SmtpServer("starttls", "smtp.example.org", 2587, "u", "p"),
        ),
        ("smtps://u:p%23w@smtp.qq.com", SmtpServer("tls", "smtp.qq.com", 465, "u", "p#w")),
        ("SMTPS://u:p@smtp.qq.com:994/", SmtpServer("tls", "smtp.qq.com", 994, "u", "p")),
    ],
)
def test_each_smtp_url_form_is_parsed(url: str, expected: SmtpServer) -> None:
    assert parse_smtp_url(url) == expected
    settings = Settings.from_env({"GRASSROOTS_SECRET_KEY": "k", "GRASSROOTS_SMTP_URL": url})
    assert settings.smtp == expected
    assert settings.mail_enabled


def test_without_an_smtp_url_no_mail_is_sent() -> None:
    settings = Settings.from_env({"GRASSROOTS_SECRET_KEY": "k"})
    assert settings.smtp is None and not settings.mail_enabled
    assert settings.mail_from == "Grassroots <noreply@localhost>"
    assert settings.site_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://u:hunter2@mail.example.org", "must start with one of smtp://"),
        ("mail.example.org:25", "must start with one of smtp://"),
        ("smtp://u:hunter2@mail.example.org:port", "port that is not a number"),
        ("smtp://u:hunter2@mail.example.org:70000", "port that is not a number"),
        ("smtp://u:hunter2@:25", "names no host"),
        ("smtps://u:hunter2@mail.example.org/inbox", "must end after host:port"),
    ],
)
def test_a_malformed_smtp_url_stops_start_up(url: str, complaint: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        Settings.from_env({"GRASSROOTS_SECRET_KEY": "k", "GRASSROOTS_SMTP_URL": url})
    message = str(stopped.value)
    assert message.startswith("GRASSROOTS_SMTP_URL ") and complaint in message
    assert "hunter2" not in message  # start-up logs are no place for the password


def test_mail_from_and_site_url_are_read_and_checked() -> None:
    env = {
        "GRASSROOTS_SECRET_KEY": "k",
        "GRASSROOTS_MAIL_FROM": "阳光社区 <notice@yg.example.org>",
        "GRASSROOTS_SITE_URL": "https://yg.example.org/",
    }
    settings = Settings.from_env(env)
    assert settings.mail_from == "阳光社区 <notice@yg.example.org>"
    assert settings.site_url == "https://yg.example.org"  # links append paths starting with /
    with pytest.raises(SystemExit, match="GRASSROOTS_MAIL_FROM"):
        Settings.from_env({**env, "GRASSROOTS_MAIL_FROM": "noreply"})
    with pytest.raises(SystemExit, match="GRASSROOTS_SITE_URL"):
        Settings.from_env({**env, "GRASSROOTS_SITE_URL": "yg.example.org"})


def test_the_smtp_password_stays_out_of_the_settings_repr() -> None:
    settings = Settings(smtp_url="smtps://u:hunter2@smtp.example.org")
    assert "hunter2" not in repr(settings)


# ---------------------------------------------------------------- delivering


def test_committed_mail_is_delivered_in_utf8(
    database: Database, mail_settings: Settings, smtp: FakeSMTPServer
) -> None:
    mail_id = queue(database)
    assert deliver_pending(database, mail_settings) == 1

    [received] = smtp.messages
    assert smtp.logins == [("site@grassroots.test", "pa:ss/word")]
    assert received.mail_from == "noreply@localhost"
    assert received.rcpt_to == ["resident@example.org"]
    message = received.message()
    assert message["From"] == "Grassroots <noreply@localhost>"
    assert message["To"] == "resident@example.org"
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"].endswith(f".{mail_id}@127.0.0.1>")
    assert message.get_content_charset() == "utf-8"
    assert message.get_content().replace("\r\n", "\n") == BODY
    assert received.data.isascii()  # encoded, so no server needs 8BITMIME

    [row] = outbox(database)
    assert row.sent_at is not None and row.next_attempt_at is None
    assert (row.attempts, row.last_error) == (1, "")
    assert deliver_pending(database, mail_settings) == 0
    assert len(smtp.messages) == 1


def test_a_server_offering_only_auth_login_is_logged_in_to(database: Database, settings: Settings) -> None:
    with FakeSMTPServer(auth_mechanisms="LOGIN") as server:
        queue(database)
        assert deliver_pending(database, replace(settings, smtp_url=server.url("u%40x:p%40ss"))) == 1
    assert server.logins == [("u@x", "p@ss")]


def test_a_rolled_back_transaction_sends_nothing(
    database: Database, mail_settings: Settings, smtp: FakeSMTPServer
) -> None:
    with pytest.raises(RuntimeError), database.writing() as db:
        queue_mail(db, to_address="resident@example.org", subject=SUBJECT, body=BODY)
        db.flush()
        raise RuntimeError("the post failed after queueing its mail")
    assert outbox(database) == []
    assert deliver_pending(database, mail_settings) == 0
    assert smtp.messages == []


def test_only_commits_that_queued_mail_announce_it(database: Database, mail_settings: Settings) -> None:
    calls: list[str] = []
    stop = on_mail_committed(database, lambda: calls.append("mail"))
    try:
        with Session(database.write_engine) as db:  # one session, reused across transactions
            queue_mail(db, to_address="a@example.org", subject="s", body="b")
            db.rollback()
            db.commit()  # nothing queued in this transaction
            assert calls == []
            queue_mail(db, to_address="a@example.org", subject="s", body="b")
            db.commit()
            assert calls == ["mail"]
            db.commit()
            assert calls == ["mail"]
    finally:
        stop()
    queue(database)
    assert calls == ["mail"]  # unsubscribed


def test_a_4xx_reply_is_retried_on_a_later_run(
    database: Database, mail_settings: Settings, smtp: FakeSMTPServer
) -> None:
    queue(database)
    smtp.fail_next("451 4.3.0 greylisted, try again later")
    assert deliver_pending(database, mail_settings) == 0
    [row] = outbox(database)
    assert (row.attempts, row.sent_at) == (1, None)
    assert row.last_error.startswith("451 4.3.0 greylisted")
    assert row.next_attempt_at is not None and row.next_attempt_at > utcnow() + timedelta(seconds=30)

    assert deliver_pending(database, mail_settings) == 0  # not due yet
    make_due(database)
    assert deliver_pending(database, mail_settings) == 1
    assert [m.message()["Subject"] for m in smtp.messages] == [SUBJECT]
    [row] = outbox(database)
    assert row.attempts == 2 and row.sent_at is not None


def test_a_5xx_reply_gives_up_at_once(
    database: Database, mail_settings: Settings, smtp: FakeSMTPServer
) -> None:
    queue(database, "nobody@example.org")
    queue(database, "resident@example.org")
    smtp.fail_next("550 5.1.1 no such mailbox", stage="RCPT")
    assert deliver_pending(database, mail_settings) == 1  # the next mail on the same connection
    refused, sent = outbox(database)
    assert refused.next_attempt_at is None and refused.sent_at is None
    assert refused.last_error == "gave up: 550 5.1.1 no such mailbox"
    assert sent.sent_at is not None
    make_due(database)
    assert deliver_pending(database, mail_settings) == 0
    assert [m.rcpt_to for m in smtp.messages] == [["resident@example.org"]]


def test_temporary_failures_give_up_after_the_last_attempt(
    database: Database, mail_settings: Settings, smtp: FakeSMTPServer
) -> None:
    queue(database)
    smtp.fail_next("452 4.2.2 mailbox full", times=MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS):
        assert deliver_pending(database, mail_settings) == 0
        make_due(database)
    [row] = outbox(database)
    assert row.attempts == MAX_ATTEMPTS and row.next_attempt_at is None
    assert row.last_error == "gave up: 452 4.2.2 mailbox full"
    assert deliver_pending(database, mail_settings) == 0
    assert smtp.messages == []


def test_a_server_hanging_up_mid_batch_leaves_the_rest_for_later(
    database: Database, mail_settings: Settings, smtp: FakeSMTPServer
) -> None:
    for n in range(3):
        queue(database, f"m{n}@example.org")
    smtp.fail_next("421 4.3.2 shutting down")
    assert deliver_pending(database, mail_settings) == 0
    rows = outbox(database)
    assert rows[0].last_error == "421 4.3.2 shutting down"
    assert [row.last_error.split(":")[0] for row in rows[1:]] == ["SMTPServerDisconnected"] * 2
    assert all(row.next_attempt_at is not None and row.attempts == 1 for row in rows)
    make_due(database)
    assert deliver_pending(database, mail_settings) == 3
    assert len(smtp.messages) == 3


def test_an_unreachable_server_is_retried(database: Database, settings: Settings) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    queue(database)
    assert deliver_pending(database, replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")) == 0
    [row] = outbox(database)
    assert row.last_error.startswith("connecting: ConnectionRefusedError")
    assert row.next_attempt_at is not None and row.sent_at is None


def test_concurrent_deliveries_never_send_a_mail_twice(
    database: Database, mail_settings: Settings, smtp: FakeSMTPServer
) -> None:
    """Four senders start at once, as several processes would, each taking batches of five."""
    addresses = [f"member{n:02}@example.org" for n in range(40)]
    for address in addresses:
        queue(database, address)
    start = threading.Barrier(4)
    counts: list[int] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            start.wait(timeout=10)
            counts.append(deliver_pending(database, mail_settings, limit=5))
            counts.append(deliver_pending(database, mail_settings, limit=5))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(counts) == 40
    assert sorted(to for m in smtp.messages for to in m.rcpt_to) == addresses
    assert {row.attempts for row in outbox(database)} == {1}


def test_a_sender_skips_mail_another_sender_holds(
    database: Database, mail_settings: Settings, smtp: FakeSMTPServer
) -> None:
    """On PostgreSQL a claim takes the rows after those another transaction holds, at once,
    rather than waiting for it or taking them too."""
    if database.is_sqlite:
        pytest.skip("SQLite has one writer: a second claim waits for the first to commit")
    for n in range(4):
        queue(database, f"m{n}@example.org")
    held = select(OutgoingMail).order_by(OutgoingMail.id).limit(2).with_for_update()
    counts: list[int] = []
    with database.writing() as other:
        other.scalars(held).all()
        thread = threading.Thread(target=lambda: counts.append(deliver_pending(database, mail_settings)))
        thread.start()
        thread.join(timeout=30)
        assert counts == [2], "the claim waited for the held rows"
    assert sorted(m.rcpt_to[0] for m in smtp.messages) == ["m2@example.org", "m3@example.org"]


# ---------------------------------------------------------------- the sender thread


def test_the_sender_delivers_soon_after_a_commit(
    database: Database, mail_settings: Settings, smtp: FakeSMTPServer
) -> None:
    sender = MailSender(database, mail_settings, poll_seconds=3600)
    queue(database, "before@example.org")
    sender.start()
    try:
        assert smtp.wait_for(1)  # its first round, at start
        # The first round is over (its claim came before that delivery), and the next poll
        # is an hour away: only the commit's wake-up can bring this one.
        queue(database, "after@example.org")
        assert smtp.wait_for(2), "the commit did not wake the sender"
    finally:
        sender.stop()
    assert not sender.running
    assert [m.rcpt_to for m in smtp.messages] == [["before@example.org"], ["after@example.org"]]


def test_the_app_runs_a_sender_when_smtp_is_configured(
    database: Database, mail_settings: Settings, smtp: FakeSMTPServer
) -> None:
    app = create_app(mail_settings, database)
    with TestClient(app):
        sender = app.state.mail_sender
        assert isinstance(sender, MailSender) and sender.running
        queue(database)
        assert smtp.wait_for(1)
    assert not sender.running
    with database.reading() as db:
        assert db.scalar(select(func.count()).where(OutgoingMail.sent_at.is_not(None))) == 1


def test_the_app_runs_no_sender_without_smtp(database: Database, settings: Settings) -> None:
    app = create_app(settings, database)
    with TestClient(app):
        assert app.state.mail_sender is None
        assert "grassroots-mail" not in [thread.name for thread in threading.enumerate()]
