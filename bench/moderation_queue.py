"""The moderation queue's page with ten thousand items waiting: p99 of `/moderation/` for the
moderators who work it, on SQLite and on PostgreSQL. The data is `grassroots demo --held 10000`:
newcomers' posts held for review, spread over the public boards of both communities.

    .venv/bin/python bench/moderation_queue.py             # both backends, about 4 minutes
    .venv/bin/python bench/moderation_queue.py --check     # exit 1 when the target is missed

Who asks: the street committee's secretary (`shuji`, every item) and a community's moderator
(`yg_banzhu`, that community's), each for the first page, a page deep in the queue, and the page
filtered by reason, by organization and by board. A queue is worked by a few people at a time,
not by crowds: wrk keeps `--connections` (4) requests going at once.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import harness
import servers
import wrk
from wrk import WrkOptions, WrkResult

HELD = 10_000
PER_PAGE = 30  # moderation/queue.py's
TARGET_P99_MS = 100.0
MODERATORS = ("shuji", "yg_banzhu")


def main() -> int:
    args = _parser().parse_args()
    options = WrkOptions(connections=args.connections, duration_s=args.duration, warmup_s=args.warmup)
    harness.say(f"load average before starting: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    results: dict[str, WrkResult] = {}
    failed = False
    for backend in args.backends:
        try:
            results[backend] = _run(backend, options, args.held)
        except harness.Skipped as exc:
            print(f"SKIPPED {backend}: {exc}", flush=True)
        except Exception as exc:  # a failed run is reported and makes the exit status 1
            print(f"FAILED {backend}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            failed = True
    print(f"\nqueue page, {args.held:,} items waiting, wrk -c{options.connections} -d{options.duration_s}s")
    missed = False
    for backend, result in results.items():
        passed = result.p99_ms < TARGET_P99_MS and not result.errors
        missed |= not passed
        print(
            f"{backend:<9} {result.requests_per_s:>7,.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
            f"p99 {result.p99_ms:6.1f} ms  errors {result.errors}  "
            f"p99 < {TARGET_P99_MS:.0f} ms: {'PASS' if passed else 'FAIL'}"
        )
    return 1 if failed or (args.check and missed) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="p99 of the moderation queue page.")
    parser.add_argument("--held", type=int, default=HELD, help=f"items waiting ({HELD:,})")
    parser.add_argument("--connections", type=int, default=4, help="requests at once (4)")
    harness.add_run_options(parser)
    return parser


def _run(backend: str, options: WrkOptions, held: int) -> WrkResult:
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"gr-bench-queue-{backend}-")))
        env = harness.environment(data_dir)
        if backend == "postgres":
            env["GRASSROOTS_DATABASE_URL"] = stack.enter_context(harness.postgres_database())
        harness.say(f"{backend}: grassroots demo --held {held:,}")
        started = time.monotonic()
        harness.run_demo(env, data_dir, ["--members", "200", "--residents", "100", "--held", str(held)])
        harness.say(f"{backend}: loaded in {time.monotonic() - started:.0f} s")
        site = stack.enter_context(harness.serve_site(env, data_dir))
        paths, headers = _paths(site, held)
        script = wrk.rotation_script(paths, data_dir, "queue", headers)
        harness.say(f"{backend}: wrk over {len(paths)} queue pages of {len(MODERATORS)} moderators")
        result, warmup = wrk.measure(options, site.base_url + "/moderation/", {}, script)
        _probe(site, paths, headers)  # wrk counts a redirect to /login as a success: look
        for name, lines in harness.server_stderr(data_dir, ["site"]).items():
            print(f"WARNING {backend}: {name} wrote to stderr: {lines[-3:]}")
        if warmup and warmup.errors:
            raise RuntimeError(f"{warmup.errors} errors in the warm-up")
        return result


def _paths(site: servers.Server, held: int) -> tuple[list[str], list[dict[str, str]]]:
    """Each moderator's queue pages, and the headers (their session cookie) of each."""
    paths, headers = [], []
    for username in MODERATORS:
        cookie = {"Cookie": f"gr_session={servers.log_in(site.port, username, harness.PASSWORD)}"}
        first = servers.get(site.port, "/moderation/", cookie)
        if first.status != 200 or first.body.count(b'name="item"') != PER_PAGE:
            raise RuntimeError(f"{username}'s queue answered {first.status} without a full page of items")
        board = _first_board(first.body)
        deep = max(1, _waiting(first.body) // PER_PAGE // 2)  # halfway down this moderator's queue
        for query in ("", f"?page={deep}", "?reason=new_account", "?org=yangguang", f"?place={quote(board)}"):
            paths.append(f"/moderation/{query}")
            headers.append(cookie)
    return paths, headers


def _probe(site: servers.Server, paths: list[str], headers: list[dict[str, str]]) -> None:
    for path, cookie in zip(paths, headers, strict=True):
        reply = servers.get(site.port, path, cookie)
        if reply.status != 200 or b'name="item"' not in reply.body:
            raise RuntimeError(f"after the run, {path} answered {reply.status} without queue items")


def _waiting(body: bytes) -> int:
    """The dashboard's count of items waiting, the first number on the page after its heading."""
    found = re.search(rb'class="dashboard">\s*<strong>([\d,]+)', body)
    if found is None:
        raise RuntimeError("the queue page shows no count of items waiting")
    return int(found.group(1).replace(b",", b""))


def _first_board(body: bytes) -> str:
    """The first board the queue's filter offers (after its blank "All")."""
    start = body.index(b'name="place"')
    options = re.findall(rb'<option value="([^"]+)"', body[start : body.index(b"</select>", start)])
    if not options:
        raise RuntimeError("the queue's board filter offers no board")
    return html.unescape(options[0].decode())


if __name__ == "__main__":
    sys.exit(main())
