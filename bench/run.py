"""`make bench`: throughput and latency of the site's pages against a bare Starlette endpoint,
on SQLite and then on PostgreSQL. See bench/README.md for what is measured and the targets."""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

import harness
import servers
import wrk
from servers import Server
from wrk import WrkOptions, WrkResult

BENCH_DIR, ROOT, BIN = harness.BENCH_DIR, harness.ROOT, harness.BIN
RESULTS_DIR = BENCH_DIR / "results"
POSTGRES_ADMIN_URL, PASSWORD, WORKERS = harness.POSTGRES_ADMIN_URL, harness.PASSWORD, harness.WORKERS
# The demo pads member numbers to the count's width: member01 for 20 members, member0001 for
# 2000. The harness logs in as whichever the demo printed first.
MEMBER_ROLE = "member"
TARGET_SHARE_OF_BARE = 0.05
TARGET_P99_MS = 50.0
BACKENDS = ("sqlite", "postgres")
SCENARIOS = ("front", "forum")
# The forum scenario: a million posts in PostgreSQL, loaded once and kept between runs.
FORUM_DATABASE = "grassroots_bench_forum_1m"
FORUM_THREADS = 20_000
FORUM_POSTS_PER_THREAD = 50
FORUM_DEMO_TIMEOUT_S = 3600
PAGE_POSTS = 50  # forum/reading.py's POSTS_PER_PAGE: the thread page must show this many
ROTATED_THREADS = 1000
SEARCH_QUERIES = ("电梯", "停车", "垃圾分类", "志愿者", "快递柜", "加装电梯", "路灯", "消防通道")
TARGET_THREAD_SHARE_OF_BARE = 0.04
TARGET_THREAD_P99_MS = 80.0
TARGET_SEARCH_P99_MS = 300.0


@dataclass(frozen=True)
class Endpoint:
    key: str  # "bare", "front", "me"
    label: str
    server: Server
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    must_contain: str = ""
    # When given, wrk asks for these paths in turn (a Lua script), and `path` is only probed.
    rotate: tuple[str, ...] = ()
    # Each probed page must pass this: it returns what is wrong, or None.
    check: Callable[[bytes], str | None] | None = None

    @property
    def url(self) -> str:
        return self.server.base_url + self.path

    def probe_paths(self) -> list[str]:
        """The rotated paths probed by hand: ten spread over the list (all, when fewer)."""
        if not self.rotate:
            return [self.path]
        step = max(1, len(self.rotate) // 10)
        return list(self.rotate[::step][:10])


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
        found: dict[str, dict[str, Any]] = {}
        front = self.get("front")
        if front is not None and front.share_of_bare is not None:
            found["front_share_of_bare"] = _share_target(
                "front page", front.share_of_bare, TARGET_SHARE_OF_BARE
            )
            found["front_p99_ms"] = _p99_target("front page", front.result.p99_ms, TARGET_P99_MS)
        thread = self.get("thread")
        if thread is not None and thread.share_of_bare is not None:
            found["thread_share_of_bare"] = _share_target(
                "thread page", thread.share_of_bare, TARGET_THREAD_SHARE_OF_BARE
            )
            found["thread_p99_ms"] = _p99_target("thread page", thread.result.p99_ms, TARGET_THREAD_P99_MS)
        search = self.get("search")
        if search is not None:
            found["search_p99_ms"] = _p99_target(search.label, search.result.p99_ms, TARGET_SEARCH_P99_MS)
        return found

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "endpoints": [m.as_dict() for m in self.measurements],
            "targets": self.targets(),
            "warnings": self.warnings,
            "server_stderr": self.server_stderr,
        }


def _share_target(label: str, value: float, target: float) -> dict[str, Any]:
    return {
        "label": f"{label} >= {target:.0%} of bare",
        "value": value,
        "shown": f"{value:.1%}",
        "target": target,
        "passed": value >= target,
    }


def _p99_target(label: str, value: float, target: float) -> dict[str, Any]:
    return {
        "label": f"{label} p99 < {target:.0f} ms",
        "value": value,
        "shown": f"{value:.1f} ms",
        "target": target,
        "passed": value < target,
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
        if "front" in args.scenarios:
            for backend in args.backends:
                runs.append(_run_backend(backend, options, args))
        if "forum" in args.scenarios:
            runs.append(_run_forum(options, args))
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
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=SCENARIOS,
        default=list(SCENARIOS),
        help="front: front page and /me on each backend; forum: thread page and search on a million "
        "posts in PostgreSQL (default: both)",
    )
    parser.add_argument(
        "--forum-threads", type=int, default=FORUM_THREADS, help="threads of the forum scenario"
    )
    parser.add_argument(
        "--forum-posts-per-thread", type=int, default=FORUM_POSTS_PER_THREAD, help="posts in each of them"
    )
    parser.add_argument(
        "--reload-forum", action="store_true", help=f"drop and reload the kept database {FORUM_DATABASE}"
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


_say = harness.say


# ---------------------------------------------------------------- one backend


def _run_backend(backend: str, options: WrkOptions, args: argparse.Namespace) -> BackendRun:
    run = BackendRun(backend)
    _say(f"{backend}: preparing")
    try:
        with ExitStack() as stack:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"gr-bench-{backend}-")))
            env = harness.environment(data_dir)
            if backend == "postgres":
                env["GRASSROOTS_DATABASE_URL"] = stack.enter_context(harness.postgres_database())
            try:
                _measure_backend(run, stack, env, data_dir, options, args)
            finally:
                _collect_stderr(run, data_dir)
        run.status = "measured"
    except harness.Skipped as exc:
        run.status, run.reason = "skipped", str(exc)
        print(f"SKIPPED {backend}: {exc}", flush=True)
    except Exception as exc:
        run.status, run.reason = "failed", f"{type(exc).__name__}: {exc}"
        print(f"FAILED {backend}: {run.reason}", file=sys.stderr, flush=True)
    return run


def _measure_backend(
    run: BackendRun,
    stack: ExitStack,
    env: dict[str, str],
    data_dir: Path,
    options: WrkOptions,
    args: argparse.Namespace,
) -> None:
    username = _load_demo(env, data_dir, args.members, args.residents)
    site = stack.enter_context(harness.serve_site(env, data_dir))
    bare = stack.enter_context(harness.serve_bare(env, data_dir))
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
    printed = harness.run_demo(env, log_dir, ["--members", str(members), "--residents", str(residents)])
    return _first_member(printed)


def _first_member(demo_output: str) -> str:
    """demo prints one account a line: username, role, organization."""
    for line in demo_output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == MEMBER_ROLE:
            return parts[0]
    raise RuntimeError("grassroots demo listed no member account (is --members 0?)")


def _collect_stderr(run: BackendRun, log_dir: Path) -> None:
    for name, lines in harness.server_stderr(log_dir).items():
        run.server_stderr[name] = lines
        run.warnings.append(f"{name} server wrote {len(lines)} line(s) to stderr")


# ---------------------------------------------------------------- the forum on a million posts


def _run_forum(options: WrkOptions, args: argparse.Namespace) -> BackendRun:
    """The thread page and search on PostgreSQL holding `--forum-threads` x
    `--forum-posts-per-thread` posts, against the bare endpoint in the same minutes."""
    run = BackendRun("forum-pg")
    _say(f"{run.backend}: preparing")
    try:
        with ExitStack() as stack:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gr-bench-forum-")))
            env = harness.environment(data_dir)
            env["GRASSROOTS_DATABASE_URL"] = _forum_database(env, data_dir, args)
            try:
                _measure_forum(run, stack, env, data_dir, options)
            finally:
                _collect_stderr(run, data_dir)
        run.status = "measured"
    except harness.Skipped as exc:
        run.status, run.reason = "skipped", str(exc)
        print(f"SKIPPED {run.backend}: {exc}", flush=True)
    except Exception as exc:
        run.status, run.reason = "failed", f"{type(exc).__name__}: {exc}"
        print(f"FAILED {run.backend}: {run.reason}", file=sys.stderr, flush=True)
    return run


def _forum_database(env: dict[str, str], log_dir: Path, args: argparse.Namespace) -> str:
    """The URL of FORUM_DATABASE, loaded by `grassroots demo --threads ... --posts-per-thread ...`
    unless it already holds that many bulk threads (loading a million posts takes minutes, so
    the database is kept between runs; --reload-forum starts it afresh)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    admin_url = make_url(POSTGRES_ADMIN_URL)
    url = admin_url.set(database=FORUM_DATABASE).render_as_string(hide_password=False)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": FORUM_DATABASE})
    except (ImportError, SQLAlchemyError) as exc:
        where = admin_url.render_as_string(hide_password=True)
        raise harness.Skipped(f"PostgreSQL is not reachable at {where} ({type(exc).__name__})") from exc
    try:
        if exists and not args.reload_forum:
            held = _bulk_threads_held(url, args.forum_posts_per_thread)
            if held >= args.forum_threads:
                _say(
                    f"forum-pg: reusing database {FORUM_DATABASE} "
                    f"({held:,} threads of {args.forum_posts_per_thread} posts)"
                )
                return url
            _say(
                f"forum-pg: {FORUM_DATABASE} holds {held:,} full threads, "
                f"not {args.forum_threads:,}: reloading"
            )
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{FORUM_DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{FORUM_DATABASE}"'))
        try:
            _load_forum_demo({**env, "GRASSROOTS_DATABASE_URL": url}, log_dir, args)
        except BaseException:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{FORUM_DATABASE}" WITH (FORCE)'))
            raise
    finally:
        admin.dispose()
    return url


def _bulk_threads_held(url: str, posts_per_thread: int) -> int:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.scalar(
                    text("SELECT count(*) FROM forum_threads WHERE post_count = :n"), {"n": posts_per_thread}
                )
                or 0
            )
    except SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def _load_forum_demo(env: dict[str, str], log_dir: Path, args: argparse.Namespace) -> None:
    total = args.forum_threads * args.forum_posts_per_thread
    _say(f"forum-pg: loading {total:,} posts into {FORUM_DATABASE} (kept for the next runs; takes minutes)")
    argv = [
        str(BIN / "grassroots"), "demo", "--members", str(args.members), "--residents", str(args.residents),
        "--threads", str(args.forum_threads), "--posts-per-thread", str(args.forum_posts_per_thread),
        "--password", PASSWORD,
    ]  # fmt: skip
    started = time.monotonic()
    log = log_dir / "forum-demo.log"
    with log.open("wb") as out:
        # The accounts go to the log; the loader's progress (stderr) to the terminal.
        done = subprocess.run(
            argv, env=env, stdout=out, stdin=subprocess.DEVNULL, timeout=FORUM_DEMO_TIMEOUT_S, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"grassroots demo exited with {done.returncode} (see the lines above)")
    _say(f"forum-pg: loaded in {time.monotonic() - started:.0f} s")


def _forum_paths(url: str) -> tuple[list[str], list[str]]:
    """Thread pages an anonymous reader may open that fill a page (ROTATED_THREADS of them,
    spread over all), and the search pages for SEARCH_QUERIES."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ids = list(
                conn.scalars(
                    text(
                        "SELECT t.id FROM forum_threads t JOIN forum_boards b ON b.id = t.board_id "
                        "WHERE NOT b.members_only AND t.state = 'visible' AND t.post_count >= :n "
                        "ORDER BY t.id"
                    ),
                    {"n": PAGE_POSTS},
                )
            )
    finally:
        engine.dispose()
    if not ids:
        raise RuntimeError(f"no public thread with {PAGE_POSTS} posts in {FORUM_DATABASE}")
    step = max(1, len(ids) // ROTATED_THREADS)
    threads = [f"/forum/t/{i}" for i in ids[::step][:ROTATED_THREADS]]
    searches = [f"/forum/search?q={quote(q)}" for q in SEARCH_QUERIES]
    return threads, searches


def _shows_a_full_page(body: bytes) -> str | None:
    shown = body.count(b'id="floor-')
    return None if shown == PAGE_POSTS else f"the thread page shows {shown} posts, not {PAGE_POSTS}"


def _finds_posts(body: bytes) -> str | None:
    return None if b"<mark>" in body else "the search page marks no word found"


def _measure_forum(
    run: BackendRun, stack: ExitStack, env: dict[str, str], data_dir: Path, options: WrkOptions
) -> None:
    threads, searches = _forum_paths(env["GRASSROOTS_DATABASE_URL"])
    site = stack.enter_context(harness.serve_site(env, data_dir))
    uncached = stack.enter_context(
        harness.serve_site({**env, "GRASSROOTS_PAGE_CACHE_MB": "0"}, data_dir, "site-uncached")
    )
    bare = stack.enter_context(harness.serve_bare(env, data_dir))
    _say(f"{run.backend}: reading the {len(threads)} thread pages {WARM_ROUNDS} times to fill the caches")
    _warm(site, threads)
    endpoints = [
        Endpoint("bare", "bare Starlette", bare, "/"),
        Endpoint("thread", "thread page", site, threads[0], rotate=tuple(threads), check=_shows_a_full_page),
        Endpoint(
            "thread_uncached",
            "thread, no cache",
            uncached,
            threads[0],
            rotate=tuple(threads),
            check=_shows_a_full_page,
        ),
    ]
    search_route = servers.get(site.port, searches[0]).status == 200
    if search_route:
        endpoints.append(
            Endpoint("search", "search", site, searches[0], rotate=tuple(searches), check=_finds_posts)
        )
    for endpoint in endpoints:
        shown = f"{len(endpoint.rotate)} paths like {endpoint.url}" if endpoint.rotate else endpoint.url
        _say(f"{run.backend}: wrk {endpoint.label} ({shown})")
        run.measurements.append(_measure(run, endpoint, options, data_dir))
    if not search_route:
        run.warnings.append("GET /forum/search did not answer 200: search was timed in-process instead")
        _say(f"{run.backend}: /forum/search is not there; timing forum.search.search in-process")
        run.measurements.append(_search_in_process(env["GRASSROOTS_DATABASE_URL"], options.duration_s))
    _fill_shares(run)


WARM_ROUNDS = 3


def _warm(site: Server, paths: list[str]) -> None:
    """Steady state for the page cache: each worker process keeps its own, and connections land
    on workers at random, so every page is asked for a few times over several connections."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        for _ in range(WARM_ROUNDS):
            list(pool.map(lambda path: servers.get(site.port, path), paths))


def _search_in_process(url: str, seconds: int) -> Measurement:
    """The fallback when the site has no search page: forum.search.search called in a loop, one
    at a time, over SEARCH_QUERIES, everything public readable. No HTTP, no concurrency."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from forum import search
    from forum.models import Board

    engine = create_engine(url)
    timings: list[float] = []
    try:
        with Session(engine) as db:
            boards = list(db.scalars(select(Board.id).where(Board.members_only.is_(False))))
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                query = SEARCH_QUERIES[len(timings) % len(SEARCH_QUERIES)]
                started = time.perf_counter()
                search.search(db, query, board_ids=boards)
                timings.append((time.perf_counter() - started) * 1000)
    finally:
        engine.dispose()
    timings.sort()
    result = WrkResult(
        requests=len(timings),
        requests_per_s=len(timings) / seconds,
        p50_ms=timings[len(timings) // 2],
        p99_ms=timings[min(len(timings) - 1, int(len(timings) * 0.99))],
        bytes_read=0,
        non_2xx_3xx=0,
        socket_errors={},
    )
    return Measurement("search", "search in-process", "forum.search.search", result, 0, 0)


# ---------------------------------------------------------------- one endpoint


def _measure(
    run: BackendRun, endpoint: Endpoint, options: WrkOptions, script_dir: Path | None = None
) -> Measurement:
    before = _probe(endpoint, "before")
    script = None
    if endpoint.rotate:
        script = wrk.rotation_script(
            list(endpoint.rotate), script_dir or Path(tempfile.gettempdir()), endpoint.key
        )
    result, warmup = wrk.measure(options, endpoint.url, endpoint.headers, script)
    _probe(endpoint, "after")
    measurement = Measurement(
        endpoint.key, endpoint.label, endpoint.path, result, before, warmup.errors if warmup else 0
    )
    run.warnings += _anomalies(endpoint, measurement)
    return measurement


def _probe(endpoint: Endpoint, when: str) -> int:
    """wrk does not count 3xx as errors: check by hand that the page really is a 200 (a lost
    login would be a 303 to /login). Returns the response's size on the wire (the mean over the
    paths probed, for a rotation)."""
    sizes = []
    for path in endpoint.probe_paths():
        reply = servers.get(endpoint.server.port, path, endpoint.headers)
        if reply.status != 200:
            raise RuntimeError(f"GET {path} answered {reply.status} {when} the run, not 200")
        if endpoint.must_contain and endpoint.must_contain.encode() not in reply.body:
            raise RuntimeError(f"GET {path} {when} the run does not mention {endpoint.must_contain!r}")
        problem = endpoint.check(reply.body) if endpoint.check else None
        if problem:
            raise RuntimeError(f"GET {path} {when} the run: {problem}")
        sizes.append(reply.wire_bytes)
    return round(sum(sizes) / len(sizes))


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
        f"--timeout={options.timeout_s}s "
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
    for target in run.targets().values():
        print(
            f"{run.backend}: {target['label']} at {connections} connections: "
            f"{_verdict(target['passed'])} ({target['shown']})"
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
            "wrk": f"-t{options.threads} -c{options.connections} -d{options.duration_s}s --latency "
            f"--timeout={options.timeout_s}s",
            "warmup_s": options.warmup_s,
            "workers": WORKERS,
            "members": args.members,
            "residents": args.residents,
            "scenarios": args.scenarios,
            "forum": {
                "database": FORUM_DATABASE,
                "threads": args.forum_threads,
                "posts_per_thread": args.forum_posts_per_thread,
                "rotated_threads": ROTATED_THREADS,
                "search_queries": list(SEARCH_QUERIES),
            },
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
