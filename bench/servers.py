"""Server processes (each in its own process group, always stopped) and the HTTP the harness
speaks to them itself: health checks, probes, logging in. Standard library only."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
HTTP_TIMEOUT_S = 10.0


class ServerFailed(RuntimeError):
    pass


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    stderr_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stderr_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    name: str, argv: Sequence[str], *, port: int, env: dict[str, str], log_dir: Path, ready_path: str
) -> Iterator[Server]:
    """Start `argv` in a new process group, wait for GET `ready_path` to answer 200, and stop the
    whole group (uvicorn's supervisor and its workers) on the way out, whatever happened."""
    stdout = (log_dir / f"{name}.stdout").open("wb")
    stderr_path = log_dir / f"{name}.stderr"
    with stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            list(argv),
            env=env,
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Server(name, port, process, stderr_path)
    try:
        _wait_ready(server, ready_path)
        yield server
    finally:
        stop(process)


def _wait_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerFailed(
                f"{server.name} exited with {server.process.returncode} before answering:\n"
                + server.stderr_tail()
            )
        try:
            if get(server.port, path).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ServerFailed(f"{server.name} did not answer GET {path} within {START_TIMEOUT_S:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the group, then SIGKILL to whatever is left of it."""
    _signal_group(process.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT_S)
    _signal_group(process.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT_S)


def child_pids(pid: int) -> set[int]:
    """The live processes whose parent is `pid` (from /proc; zombies left out)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …; comm may hold spaces and parentheses, so split after the last ")".
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state not in ("Z", "X"):
            found.add(int(entry.name))
    return found


def worker_pids(supervisor: int) -> set[int]:
    """uvicorn's worker processes under its supervisor: the children started by multiprocessing's
    spawn, not its resource tracker (also a child)."""
    found = set()
    for pid in child_pids(supervisor):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in argv:
            found.add(pid)
    return found


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


# ---------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    wire_bytes: int  # status line, headers and body, as wrk counts what it reads

    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for name, value in self.headers:
            if name.lower() == "set-cookie":
                jar.load(value)
        return {key: morsel.value for key, morsel in jar.items()}


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> Reply:
    """One request on a fresh connection; redirects are not followed."""
    conn = http.client.HTTPConnection(HOST, port, timeout=HTTP_TIMEOUT_S)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        raw_headers = response.getheaders()
    finally:
        conn.close()
    head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
    head += sum(len(name) + len(value) + 4 for name, value in raw_headers)
    return Reply(response.status, raw_headers, data, head + len(data))


def get(port: int, path: str, headers: dict[str, str] | None = None) -> Reply:
    return request(port, "GET", path, headers)


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values.setdefault(str(found["name"]), found.get("value") or "")


def log_in(port: int, username: str, password: str) -> str:
    """Log in through the form like a browser would; returns the gr_session cookie's value."""
    page = get(port, "/login")
    if page.status != 200:
        raise ServerFailed(f"GET /login answered {page.status}")
    parser = _HiddenInputs()
    parser.feed(page.body.decode("utf-8", errors="replace"))
    csrf = parser.values.get("csrf_token")
    anon = page.cookies().get("gr_anon")
    if not csrf or not anon:
        raise ServerFailed("GET /login gave no csrf_token field or no gr_anon cookie")
    form = urlencode({"username": username, "password": password, "csrf_token": csrf}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"gr_anon={anon}"}
    reply = request(port, "POST", "/login", headers, form)
    token = reply.cookies().get("gr_session")
    if reply.status != 303 or not token:
        problem = re.search(rb'class="field-error"[^>]*>([^<]*)<', reply.body)
        detail = f": {problem.group(1).decode(errors='replace')}" if problem else ""
        raise ServerFailed(f"POST /login as {username} answered {reply.status}, not a 303{detail}")
    return token
