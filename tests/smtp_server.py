"""A small SMTP server for tests, in a thread of the test process.

It speaks what smtplib sends: EHLO/HELO, AUTH PLAIN and LOGIN (any credentials accepted and
recorded), MAIL FROM, RCPT TO, DATA (with dot-unstuffing), RSET, NOOP and QUIT. Each message it
accepts is recorded; `fail_next()` makes the next deliveries fail with a chosen reply, at RCPT
or at the end of DATA, to test retries; after a 421 it hangs up, as real servers do. No TLS:
the TLS forms are tested by parsing alone.
"""

from __future__ import annotations

import base64
import email.policy
import socketserver
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Literal

Stage = Literal["RCPT", "DATA"]


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes

    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=email.policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Envelope:
    mail_from: str = ""
    rcpt_to: list[str] = field(default_factory=list)


class FakeSMTPServer:
    """Use as a context manager; `url` is what GRASSROOTS_SMTP_URL would hold."""

    def __init__(self, *, auth_mechanisms: str = "PLAIN LOGIN") -> None:
        self.auth_mechanisms = auth_mechanisms
        self.messages: list[Received] = []
        self.logins: list[tuple[str, str]] = []
        self.received = threading.Event()  # set at every accepted message
        self._failures: list[tuple[Stage, str]] = []
        self._lock = threading.Condition()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, userinfo: str = "") -> str:
        return f"smtp://{userinfo + '@' if userinfo else ''}127.0.0.1:{self.port}"

    def fail_next(self, reply: str, *, stage: Stage = "DATA", times: int = 1) -> None:
        """The next `times` deliveries get `reply` (e.g. "451 4.3.0 try later") at `stage`."""
        with self._lock:
            self._failures.extend([(stage, reply)] * times)

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until `count` messages were accepted in all; False when the timeout passed."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.messages) >= count, timeout)

    def __enter__(self) -> FakeSMTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    # ---- called by the handler threads

    def _take_failure(self, stage: Stage) -> str | None:
        with self._lock:
            if self._failures and self._failures[0][0] == stage:
                return self._failures.pop(0)[1]
            return None

    def _accept(self, message: Received) -> None:
        with self._lock:
            self.messages.append(message)
            self._lock.notify_all()
        self.received.set()


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False
    fake: FakeSMTPServer


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.envelope = _Envelope()
        self.reply("220 fake.test ESMTP ready")
        while line := self.rfile.readline():
            verb, _, arg = line.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            command = getattr(self, f"do_{verb.upper()}", None)
            if command is None:
                self.reply("502 5.5.2 command not recognised")
            elif command(arg) is False:
                return

    def reply(self, *lines: str) -> None:
        *first, last = lines
        text = "".join(f"{line[:3]}-{line[4:]}\r\n" for line in first) + f"{last}\r\n"
        self.wfile.write(text.encode())

    def do_EHLO(self, arg: str) -> None:
        self.reply("250 fake.test", "250 8BITMIME", f"250 AUTH {self.server.fake.auth_mechanisms}")

    def do_HELO(self, arg: str) -> None:
        self.reply("250 fake.test")

    def do_AUTH(self, arg: str) -> None:
        mechanism, _, initial = arg.partition(" ")
        if mechanism.upper() == "PLAIN":
            _, user, password = self.answer(initial, "").split("\0")
        elif mechanism.upper() == "LOGIN":
            user = self.answer(initial, "VXNlcm5hbWU6")
            password = self.answer("", "UGFzc3dvcmQ6")
        else:
            self.reply("504 5.5.4 mechanism not supported")
            return
        self.server.fake.logins.append((user, password))
        self.reply("235 2.7.0 authenticated")

    def answer(self, given: str, challenge: str) -> str:
        """The client's base64 answer: given with the command, or asked for with a 334."""
        if not given:
            self.reply(f"334 {challenge}")
            given = self.rfile.readline().decode().strip()
        return base64.b64decode(given).decode("utf-8")

    def do_MAIL(self, arg: str) -> None:
        self.envelope = _Envelope(mail_from=_address(arg))
        self.reply("250 2.1.0 ok")

    def do_RCPT(self, arg: str) -> None:
        failure = self.server.fake._take_failure("RCPT")
        if failure:
            self.reply(failure)
            return
        self.envelope.rcpt_to.append(_address(arg))
        self.reply("250 2.1.5 ok")

    def do_DATA(self, arg: str) -> bool:
        if not self.envelope.rcpt_to:
            self.reply("503 5.5.1 no recipients")
            return True
        self.reply("354 end with <CRLF>.<CRLF>")
        lines: list[bytes] = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b".") else line)  # dot-unstuffing
        failure = self.server.fake._take_failure("DATA")
        if failure:
            self.reply(failure)
        else:
            envelope = self.envelope
            self.server.fake._accept(Received(envelope.mail_from, list(envelope.rcpt_to), b"".join(lines)))
            self.reply("250 2.0.0 queued")
        self.envelope = _Envelope()
        return not (failure or "").startswith("421")  # 421: the server closes the connection

    def do_RSET(self, arg: str) -> None:
        self.envelope = _Envelope()
        self.reply("250 2.0.0 ok")

    def do_NOOP(self, arg: str) -> None:
        self.reply("250 2.0.0 ok")

    def do_QUIT(self, arg: str) -> bool:
        self.reply("221 2.0.0 bye")
        return False


def _address(arg: str) -> str:
    """`FROM:<a@b> SIZE=12` -> `a@b`."""
    return arg.partition(":")[2].strip().split(" ")[0].strip("<>")
