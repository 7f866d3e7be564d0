"""What every benchmark here needs around the site: the environment it runs in, a throw-away
PostgreSQL database, `grassroots demo` and `grassroots serve` as the project's own CLI runs them."""

from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import servers
from servers import Server

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BIN = ROOT / ".venv" / "bin"
POSTGRES_ADMIN_URL = os.environ.get(
    "GRASSROOTS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRET_KEY = "grassroots-bench-secret-key-not-for-production-0123456789"
PASSWORD = "bench-pass-123"
WORKERS = 2
DEMO_TIMEOUT_S = 900


BACKENDS = ("sqlite", "postgres")


def add_run_options(parser: argparse.ArgumentParser, backends: Sequence[str] = BACKENDS) -> None:
    """The options every benchmark script takes: how long, on which databases, and --check."""
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each run")
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(backends))
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")


class Skipped(Exception):
    pass


def say(message: str) -> None:
    print(f"· {message}", flush=True)


def environment(data_dir: Path) -> dict[str, str]:
    """This shell's environment without any GRASSROOTS_* of its own, plus the bench's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env.update(GRASSROOTS_DATA_DIR=str(data_dir), GRASSROOTS_SECRET_KEY=SECRET_KEY, PYTHONUNBUFFERED="1")
    return env


def run_demo(
    env: dict[str, str], log_dir: Path, options: Sequence[str], timeout_s: int = DEMO_TIMEOUT_S
) -> str:
    """`grassroots demo OPTIONS --password PASSWORD`; returns what it printed (the accounts)."""
    log = log_dir / "demo.log"
    with log.open("wb") as out:
        done = subprocess.run(
            [str(BIN / "grassroots"), "demo", *options, "--password", PASSWORD],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=timeout_s,
            check=False,
        )
    printed = log.read_text(errors="replace")
    if done.returncode != 0:
        tail = "\n".join(printed.splitlines()[-15:])
        raise RuntimeError(f"grassroots demo exited with {done.returncode}:\n{tail}")
    return printed


@contextmanager
def serve_site(env: dict[str, str], log_dir: Path, name: str = "site") -> Iterator[Server]:
    port = servers.free_port()
    argv = [str(BIN / "grassroots"), "serve", "--workers", str(WORKERS), "--port", str(port)]
    with servers.serving(name, argv, port=port, env=env, log_dir=log_dir, ready_path="/healthz") as site:
        yield site


@contextmanager
def serve_bare(env: dict[str, str], log_dir: Path) -> Iterator[Server]:
    """bench/bare_app.py: one route answering "ok", served with the site's flags."""
    port = servers.free_port()
    argv = [
        str(BIN / "python"),
        str(BENCH_DIR / "bare_app.py"),
        "--workers",
        str(WORKERS),
        "--port",
        str(port),
    ]
    with servers.serving("bare", argv, port=port, env=env, log_dir=log_dir, ready_path="/") as bare:
        yield bare


@contextmanager
def postgres_database() -> Iterator[str]:
    """A uniquely named database for this run, dropped afterwards whatever happens."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    name = f"grassroots_bench_{os.getpid()}_{secrets.token_hex(4)}"
    admin_url = make_url(POSTGRES_ADMIN_URL)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    except ImportError as exc:
        raise Skipped(f"no PostgreSQL driver ({exc})") from exc
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except SQLAlchemyError as exc:
        admin.dispose()
        where = admin_url.render_as_string(hide_password=True)
        raise Skipped(f"PostgreSQL is not reachable at {where} ({type(exc).__name__})") from exc
    try:
        say(f"postgres: created database {name}")
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        say(f"postgres: dropped database {name}")


POSTGRES_BIN = Path(os.environ.get("GRASSROOTS_BENCH_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
POSTGRES_OS_USER = "postgres"
POSTGRES_START_TIMEOUT_S = 60


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of this run's own, which a benchmark may stop and crash at will."""

    url: str
    port: int
    data_dir: Path
    _as_owner: list[str]

    def pg_ctl(self, *args: str, timeout_s: float = POSTGRES_START_TIMEOUT_S + 10) -> None:
        argv = [*self._as_owner, str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data_dir), *args]
        _run_quiet(argv, timeout_s)

    def start(self) -> None:
        """Returns once the server accepts connections (pg_ctl -w polls every 0.1 s)."""
        log = self.data_dir.parent / "postgres.log"
        self.pg_ctl("start", "-w", "-t", str(POSTGRES_START_TIMEOUT_S), "-l", str(log))

    def stop_immediately(self) -> None:
        """Like a crash: no checkpoint, the backends killed; committed work survives by the WAL."""
        self.pg_ctl("stop", "-m", "immediate", "-w")

    def restart(self) -> tuple[float, float]:
        """Crash-stop and start again; the time.monotonic() of the stop and of the server
        accepting connections again."""
        down = time.monotonic()
        self.stop_immediately()
        self.start()
        return down, time.monotonic()

    def log_tail(self, lines: int = 20) -> str:
        with suppress(OSError):
            text = (self.data_dir.parent / "postgres.log").read_text(errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return ""


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """initdb a throw-away cluster in a temporary directory, listening on 127.0.0.1 only on a
    free port (its socket in that directory), trust authentication; start it, and stop it
    (immediately) and remove it all on the way out, whatever happened. Run as the `postgres`
    OS user when this process is root, since PostgreSQL refuses to run as root. Never touches
    the machine's own server, which others' test suites use."""
    initdb = POSTGRES_BIN / "initdb"
    if not initdb.exists() or not (POSTGRES_BIN / "pg_ctl").exists():
        raise Skipped(f"no PostgreSQL binaries in {POSTGRES_BIN} (set GRASSROOTS_BENCH_POSTGRES_BIN)")
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise Skipped(f"no PostgreSQL driver ({exc})") from exc
    as_owner: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="gr-bench-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(POSTGRES_OS_USER)
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            raise Skipped(f"running as root and there is no {POSTGRES_OS_USER} OS user to run it") from None
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", POSTGRES_OS_USER, "--"]
    port = servers.free_port()
    cluster = PrivatePostgres(
        f"postgresql+psycopg://postgres@{servers.HOST}:{port}/postgres", port, root / "data", as_owner
    )
    started = False
    try:
        _run_quiet(
            [*as_owner, str(initdb), "-D", str(cluster.data_dir), "-U", "postgres", "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"],
            120,
        )  # fmt: skip
        with (cluster.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\n# bench/harness.py: private_postgres\nport = {port}\n"
                f"listen_addresses = '{servers.HOST}'\n"
                f"unix_socket_directories = '{root}'\nmax_connections = 100\nshared_buffers = 128MB\n"
                "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n"
            )
        cluster.start()
        started = True
        say(f"postgres: private cluster on port {port} in {root}")
        yield cluster
    finally:
        if started:
            with suppress(Exception):
                cluster.stop_immediately()
        shutil.rmtree(root, ignore_errors=True)
        say("postgres: private cluster stopped and removed")


def _run_quiet(argv: list[str], timeout_s: float) -> None:
    done = subprocess.run(
        argv, capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout_s, check=False, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {done.returncode}:\n{done.stdout}{done.stderr}")


def server_stderr(log_dir: Path, names: Sequence[str] = ("site", "bare")) -> dict[str, list[str]]:
    """The last lines each server wrote to stderr (a healthy run writes none)."""
    found = {}
    for name in names:
        path = log_dir / f"{name}.stderr"
        if path.exists():
            lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
            if lines:
                found[name] = lines[-200:]
    return found
