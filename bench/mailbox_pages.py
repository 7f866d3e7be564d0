"""The secretary mailbox with a hundred thousand letters, on PostgreSQL (the issue's figure; add
`--backends sqlite postgres` for both): the inbox filtered to overdue letters, as the street
committee's secretary sees it (every organization's letters), and the public statistics page.
The data is `grassroots demo --letters 100000`: letters over the past year in every
organization, about one in nine still open, most of those past their due date.

    .venv/bin/python bench/mailbox_pages.py             # about 2 minutes
    .venv/bin/python bench/mailbox_pages.py --check     # exit 1 when the target is missed

Target: p99 under 100 ms for both. The inbox is worked by a few secretaries at a time, so wrk
keeps 4 requests going (`--inbox-connections`); the statistics are public and read at 32, as
the front page is (the page is drawn at most once a minute per language for the public).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import harness
import servers
import wrk
from wrk import WrkOptions, WrkResult

LETTERS = 100_000
TARGET_P99_MS = 100.0
ORGS = ("dongfeng", "yangguang", "heping", "yangguang-1", "yangguang-2", "heping-1", "heping-retired")
INBOX_PATHS = [
    *(f"/mailbox/inbox?overdue=1&page={n}" for n in range(1, 6)),
    "/mailbox/inbox?overdue=1&order=oldest",
    *(f"/mailbox/inbox?overdue=1&org={org}" for org in ORGS[:3]),
]
STATS_PATHS = [f"/mailbox/stats?org={org}" for org in ORGS]


def main() -> int:
    args = _parser().parse_args()
    harness.say(f"load average before starting: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    failed, missed, report = False, False, []
    for backend in args.backends:
        try:
            results = _run(backend, args)
        except harness.Skipped as exc:
            print(f"SKIPPED {backend}: {exc}", flush=True)
            continue
        except Exception as exc:  # reported; makes the exit status 1
            print(f"FAILED {backend}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            failed = True
            continue
        for name, (connections, result) in results.items():
            passed = result.p99_ms < TARGET_P99_MS and not result.errors
            missed |= not passed
            report.append(
                f"{backend:<9} {name:<14} -c{connections:<3} {result.requests_per_s:>7,.0f} req/s  "
                f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  errors {result.errors}  "
                f"p99 < {TARGET_P99_MS:.0f} ms: {'PASS' if passed else 'FAIL'}"
            )
    print(f"\n{args.letters:,} letters, wrk -d{args.duration}s")
    print("\n".join(report))
    return 1 if failed or (args.check and missed) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="The mailbox's inbox and statistics under load.")
    parser.add_argument("--letters", type=int, default=LETTERS, help=f"({LETTERS:,})")
    parser.add_argument("--inbox-connections", type=int, default=4)
    parser.add_argument("--stats-connections", type=int, default=32)
    harness.add_run_options(parser, ["postgres"])
    return parser


def _run(backend: str, args: argparse.Namespace) -> dict[str, tuple[int, WrkResult]]:
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"gr-bench-mail-{backend}-")))
        env = harness.environment(data_dir)
        if backend == "postgres":
            env["GRASSROOTS_DATABASE_URL"] = stack.enter_context(harness.postgres_database())
        harness.say(f"{backend}: grassroots demo --letters {args.letters:,}")
        started = time.monotonic()
        harness.run_demo(
            env, data_dir, ["--members", "200", "--residents", "100", "--letters", str(args.letters)]
        )
        harness.say(f"{backend}: loaded in {time.monotonic() - started:.0f} s")
        site = stack.enter_context(harness.serve_site(env, data_dir))
        cookie = {"Cookie": f"gr_session={servers.log_in(site.port, 'shuji', harness.PASSWORD)}"}
        results = {}
        for name, paths, headers, connections in (
            ("inbox overdue", INBOX_PATHS, cookie, args.inbox_connections),
            ("statistics", STATS_PATHS, {}, args.stats_connections),
        ):
            _probe(site, paths, headers)
            options = WrkOptions(connections=connections, duration_s=args.duration, warmup_s=args.warmup)
            script = wrk.rotation_script(paths, data_dir, name.split()[0], [headers] * len(paths))
            harness.say(
                f"{backend}: wrk {name} ({len(paths)} paths like {paths[0]}, {connections} connections)"
            )
            result, warmup = wrk.measure(options, site.base_url + paths[0], headers, script)
            if warmup and warmup.errors:
                raise RuntimeError(f"{warmup.errors} errors while warming up {name}")
            _probe(site, paths, headers)
            results[name] = (connections, result)
        for stream, lines in harness.server_stderr(data_dir, ["site"]).items():
            print(f"WARNING {backend}: {stream} wrote to stderr: {lines[-3:]}")
        return results


def _probe(site: servers.Server, paths: list[str], headers: dict[str, str]) -> None:
    """wrk counts a redirect to the login page as an answer: check each page by hand."""
    for path in paths:
        reply = servers.get(site.port, path, headers)
        if reply.status != 200 or b"<h1" not in reply.body:
            raise RuntimeError(f"GET {path} answered {reply.status}, not the page")


if __name__ == "__main__":
    sys.exit(main())
