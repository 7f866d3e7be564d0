"""`make bench`: throughput and latency of the site's pages against a bare Starlette endpoint,
on SQLite and then on PostgreSQL. See bench/README.md for what is measured and the targets."""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

import servers
import wrk
from servers import Server
from wrk import WrkOptions, WrkResult

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
BIN = ROOT / ".venv" / "bin"
RESULTS_DIR = BENCH_DIR / "results"
POSTGRES_ADMIN_URL = os.environ.get(
    "GRASSROOTS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRET_KEY = "grassroots-bench-secret-key-not-for-production-0123456789"
# The demo pads member numbers to the count's width: member01 for 20 members, member0001 for
# 2000. The harness logs in as whichever the demo printed first.
MEMBER_ROLE = "member"
PASSWORD = "bench-pass-123"
WORKERS = 2
DEMO_TIMEOUT_S = 300
TARGET_SHARE_OF_BARE = 0.05
TARGET_P99_MS = 50.0
BACKENDS = ("sqlite", "postgres")


class Skipped(Exception):
    pass


@dataclass(frozen=True)
class Endpoint:
    key: str  # "bare", "front", "me"
    label: str
    server: Server
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    must_contain: str = ""

    @property
    def url(self) -> str:
        return self.server.base_url + self.path


@dataclass
class Measurement:
    endpoint: str
    label: str
    path: str
    result: WrkResult
    probe_bytes: int
    warmup_errors: int
    share_of_bare: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "label": self.label,
            "path": self.path,
            **self.result.as_dict(),
            "probe_bytes": self.probe_bytes,
            "warmup_errors": self.warmup_errors,
            "share_of_bare": self.share_of_bare,
        }


@dataclass
class BackendRun:
    backend: str
    status: str = "not run"  # measured, skipped, failed
    reason: str = ""
    measurements: list[Measurement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    server_stderr: dict[str, list[str]] = field(default_factory=dict)

    def get(self, key: str) -> Measurement | None:
        return next((m for m in self.measurements if m.endpoint == key), None)

    def targets(self) -> dict[str, dict[str, Any]]:
        front = self.get("front")
        if front is None or front.share_of_bare is None:
            return {}
        return {
            "front_share_of_bare": {
                "value": front.share_of_bare,
                "target": TARGET_SHARE_OF_BARE,
                "passed": front.share_of_bare >= TARGET_SHARE_OF_BARE,
            },
            "front_p99_ms": {
                "value": front.result.p99_ms,
                "target": TARGET_P99_MS,
                "passed": front.result.p99_ms < TARGET_P99_MS,
            },
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "endpoints": [m.as_dict() for m in self.measurements],
            "targets": self.targets(),
            "warnings": self.warnings,
            "server_stderr": self.server_stderr,
        }


# ---------------------------------------------------------------- main


def main() -> int:
    args = _parser().parse_args()
    _stop_cleanly_on_signals()
    options = WrkOptions(connections=args.connections, duration_s=args.duration, warmup_s=args.warmup)
    started = datetime.now().astimezone()
    load = os.getloadavg()[0]
    _say(f"load average before starting: {load:.2f} on {os.cpu_count()} CPUs (other work skews the figures)")
    runs: list[BackendRun] = []
    try:
        for backend in args.backends:
            runs.append(_run_backend(backend, options, args))
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, temporary data removed", file=sys.stderr)
        return 130
    _print_report(runs, options)
    path = _write_json(runs, options, args, started, load)
    print(f"\nresults written to {path.relative_to(ROOT)}")
    return _exit_status(runs, check_targets=args.check)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Benchmark the Grassroots site against bare Starlette.")
    parser.add_argument("--members", type=int, default=2000, help="demo members (default 2000)")
    parser.add_argument("--residents", type=int, default=1000, help="demo residents (default 1000)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS), help="default: both, in order"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return parser


def _stop_cleanly_on_signals() -> None:
    """Ctrl-C, SIGTERM and SIGHUP all unwind through the clean-up code. SIGINT is set explicitly:
    a shell without job control starts background commands with it ignored."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _exit_status(runs: list[BackendRun], *, check_targets: bool) -> int:
    if any(run.status == "failed" or _has_errors(run) for run in runs):
        return 1
    missed = any(not t["passed"] for run in runs for t in run.targets().values())
    return 1 if check_targets and missed else 0


def _has_errors(run: BackendRun) -> bool:
    return any(m.result.errors or m.warmup_errors for m in run.measurements)


def _say(message: str) -> None:
    print(f"· {message}", flush=True)


# ---------------------------------------------------------------- one backend


def _run_backend(backend: str, options: WrkOptions, args: argparse.Namespace) -> BackendRun:
    run = BackendRun(backend)
    _say(f"{backend}: preparing")
    try:
        with ExitStack() as stack:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"gr-bench-{backend}-")))
            env = _environment(data_dir)
            if backend == "postgres":
                env["GRASSROOTS_DATABASE_URL"] = stack.enter_context(_postgres_database())
            try:
                _measure_backend(run, stack, env, data_dir, options, args)
            finally:
                _collect_stderr(run, data_dir)
        run.status = "measured"
    except Skipped as exc:
        run.status, run.reason = "skipped", str(exc)
        print(f"SKIPPED {backend}: {exc}", flush=True)
    except Exception as exc:
        run.status, run.reason = "failed", f"{type(exc).__name__}: {exc}"
        print(f"FAILED {backend}: {run.reason}", file=sys.stderr, flush=True)
    return run


def _environment(data_dir: Path) -> dict[str, str]:
    """This shell's environment without any GRASSROOTS_* of its own, plus the bench's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env.update(GRASSROOTS_DATA_DIR=str(data_dir), GRASSROOTS_SECRET_KEY=SECRET_KEY, PYTHONUNBUFFERED="1")
    return env


def _measure_backend(
    run: BackendRun,
    stack: ExitStack,
    env: dict[str, str],
    data_dir: Path,
    options: WrkOptions,
    args: argparse.Namespace,
) -> None:
    username = _load_demo(env, data_dir, args.members, args.residents)
    site = stack.enter_context(_serve_site(env, data_dir))
    bare = stack.enter_context(_serve_bare(env, data_dir))
    _say(f"{run.backend}: logging in as {username}")
    token = servers.log_in(site.port, username, PASSWORD)
    endpoints = [
        Endpoint("bare", "bare Starlette", bare, "/"),
        Endpoint("front", "front page", site, "/"),
        Endpoint("me", "/me logged in", site, "/me", {"Cookie": f"gr_session={token}"}, username),
    ]
    for endpoint in endpoints:
        _say(f"{run.backend}: wrk {endpoint.label} ({endpoint.url})")
        run.measurements.append(_measure(run, endpoint, options))
    _fill_shares(run)


def _load_demo(env: dict[str, str], log_dir: Path, members: int, residents: int) -> str:
    """Run `grassroots demo`; returns the username of the first demo member."""
    _say(f"loading demo data: {members} members, {residents} residents")
    argv = [str(BIN / "grassroots"), "demo", "--members", str(members), "--residents", str(residents)]
    log = log_dir / "demo.log"
    with log.open("wb") as out:
        done = subprocess.run(
            [*argv, "--password", PASSWORD],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=DEMO_TIMEOUT_S,
            check=False,
        )
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise RuntimeError(f"grassroots demo exited with {done.returncode}:\n{tail}")
    return _first_member(log.read_text(errors="replace"))


def _first_member(demo_output: str) -> str:
    """demo prints one account a line: username, role, organization."""
    for line in demo_output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == MEMBER_ROLE:
            return parts[0]
    raise RuntimeError("grassroots demo listed no member account (is --members 0?)")


@contextmanager
def _serve_site(env: dict[str, str], log_dir: Path) -> Iterator[Server]:
    port = servers.free_port()
    argv = [str(BIN / "grassroots"), "serve", "--workers", str(WORKERS), "--port", str(port)]
    with servers.serving("site", argv, port=port, env=env, log_dir=log_dir, ready_path="/healthz") as site:
        yield site


@contextmanager
def _serve_bare(env: dict[str, str], log_dir: Path) -> Iterator[Server]:
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
def _postgres_database() -> Iterator[str]:
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
        _say(f"postgres: created database {name}")
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        _say(f"postgres: dropped database {name}")


def _collect_stderr(run: BackendRun, log_dir: Path) -> None:
    for name in ("site", "bare"):
        path = log_dir / f"{name}.stderr"
        if path.exists():
            lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
            run.server_stderr[name] = lines[-200:]
            if lines:
                run.warnings.append(f"{name} server wrote {len(lines)} line(s) to stderr")


# ---------------------------------------------------------------- one endpoint


def _measure(run: BackendRun, endpoint: Endpoint, options: WrkOptions) -> Measurement:
    before = _probe(endpoint, "before")
    result, warmup = wrk.measure(options, endpoint.url, endpoint.headers)
    _probe(endpoint, "after")
    measurement = Measurement(
        endpoint.key, endpoint.label, endpoint.path, result, before, warmup.errors if warmup else 0
    )
    run.warnings += _anomalies(endpoint, measurement)
    return measurement


def _probe(endpoint: Endpoint, when: str) -> int:
    """wrk does not count 3xx as errors: check by hand that the page really is a 200 (a lost
    login would be a 303 to /login). Returns the response's size on the wire."""
    reply = servers.get(endpoint.server.port, endpoint.path, endpoint.headers)
    if reply.status != 200:
        raise RuntimeError(f"GET {endpoint.path} answered {reply.status} {when} the run, not 200")
    if endpoint.must_contain and endpoint.must_contain.encode() not in reply.body:
        raise RuntimeError(f"GET {endpoint.path} {when} the run does not mention {endpoint.must_contain!r}")
    return reply.wire_bytes


def _anomalies(endpoint: Endpoint, m: Measurement) -> list[str]:
    found = []
    if m.result.non_2xx_3xx:
        found.append(f"{endpoint.label}: {m.result.non_2xx_3xx} responses were 4xx/5xx")
    if any(m.result.socket_errors.values()):
        found.append(f"{endpoint.label}: socket errors {m.result.socket_errors}")
    if m.warmup_errors:
        found.append(f"{endpoint.label}: {m.warmup_errors} errors during the warm-up run")
    # Many 303s (or short error pages) would show as responses much smaller than the probe's.
    if m.probe_bytes and abs(m.result.bytes_per_request - m.probe_bytes) > 0.2 * m.probe_bytes:
        found.append(
            f"{endpoint.label}: wrk read {m.result.bytes_per_request:.0f} bytes per response, "
            f"a probe read {m.probe_bytes}: some responses were not the page"
        )
    return found


def _fill_shares(run: BackendRun) -> None:
    bare = run.get("bare")
    if bare is None or not bare.result.requests_per_s:
        return
    for m in run.measurements:
        if m.endpoint != "bare":
            m.share_of_bare = m.result.requests_per_s / bare.result.requests_per_s


# ---------------------------------------------------------------- report


def _print_report(runs: list[BackendRun], options: WrkOptions) -> None:
    print(
        f"\nwrk -t{options.threads} -c{options.connections} -d{options.duration_s}s --latency "
        f"(after a {options.warmup_s} s warm-up); {WORKERS} uvicorn workers; {os.cpu_count()} CPUs\n"
    )
    columns = ("backend", "endpoint", "req/s", "p50 ms", "p99 ms", "errors", "of bare")
    header = "{:<9} {:<15} {:>10} {:>8} {:>8} {:>7} {:>8}".format(*columns)
    print(header)
    print("-" * len(header))
    for run in runs:
        if run.status != "measured":
            print(f"{run.backend:<9} {run.status.upper()}: {run.reason}")
        for m in run.measurements:
            share = "-" if m.share_of_bare is None else f"{m.share_of_bare:.1%}"
            print(
                f"{run.backend:<9} {m.label:<15} {m.result.requests_per_s:>10,.0f} {m.result.p50_ms:>8.2f} "
                f"{m.result.p99_ms:>8.2f} {m.result.errors:>7} {share:>8}"
            )
    print()
    for run in runs:
        _print_targets(run, options.connections)
    _print_warnings(runs)


def _print_targets(run: BackendRun, connections: int) -> None:
    targets = run.targets()
    if not targets:
        return
    share, p99 = targets["front_share_of_bare"], targets["front_p99_ms"]
    print(
        f"{run.backend}: front page >= {TARGET_SHARE_OF_BARE:.0%} of bare: "
        f"{_verdict(share['passed'])} ({share['value']:.1%})"
    )
    print(
        f"{run.backend}: front page p99 < {TARGET_P99_MS:.0f} ms at {connections} connections: "
        f"{_verdict(p99['passed'])} ({p99['value']:.1f} ms)"
    )


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def _print_warnings(runs: list[BackendRun]) -> None:
    for run in runs:
        for warning in run.warnings:
            print(f"WARNING {run.backend}: {warning}")
        for name, lines in run.server_stderr.items():
            for line in lines[-10:]:
                print(f"  {run.backend} {name} stderr: {line}")


def _write_json(
    runs: list[BackendRun], options: WrkOptions, args: argparse.Namespace, started: datetime, load: float
) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{started.strftime('%Y%m%dT%H%M%S')}.json"
    document = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": round(load, 2),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "options": {
            "wrk": f"-t{options.threads} -c{options.connections} -d{options.duration_s}s --latency",
            "warmup_s": options.warmup_s,
            "workers": WORKERS,
            "members": args.members,
            "residents": args.residents,
        },
        "backends": {run.backend: run.as_dict() for run in runs},
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    started_at = time.monotonic()
    status = main()
    print(f"bench took {time.monotonic() - started_at:.0f} s")
    sys.exit(status)
