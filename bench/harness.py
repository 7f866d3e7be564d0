"""What every benchmark here needs around the site: the environment it runs in, a throw-away
PostgreSQL database, `grassroots demo` and `grassroots serve` as the project's own CLI runs them."""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
