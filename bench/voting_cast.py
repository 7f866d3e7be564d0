"""Casting ballots on PostgreSQL with `grassroots serve --workers 2`: 2,000 voters, each sending
their ballot twice at the same moment (the issue's figure).

The data is `grassroots demo --voters 2000`: an election of the street committee open for two
weeks, its 2,000 members (voter0001…) on the roll and checked in. Before the measured part,
each voter logs in through the login form and opens the ballot for its CSRF token (the demo and
the site run with a cheap argon2 cost here, GRASSROOTS_ARGON2_TIME_COST=1 and _MEMORY_KIB=1024:
2,000 logins at the real cost would take minutes of CPU and measure nothing of voting). Then,
with `--concurrency` voters at a time (16: 32 connections), each voter opens two connections,
sends the same `step=cast` POST on both back to back, and reads both answers.

Figures: accepted ballots a second over the wall time of the casting, p50/p99 of all the POSTs;
then from the database, exactly 2,000 rows in voting_ballots and voting_participations for the
election, a chain of 2,000, and exactly 2,000 answers 409 ("you have voted already") with no
other status. Target: at least 500 ballots a second with none of those checks failing.

    .venv/bin/python bench/voting_cast.py            # about 2 minutes
    .venv/bin/python bench/voting_cast.py --check    # exit 1 when a target is missed
"""

from __future__ import annotations

import argparse
import os
import random
import re
import selectors
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import harness
import servers
from sqlalchemy import create_engine, func, select

from voting import verifier
from voting.demo import BENCH_TITLE
from voting.models import Ballot, ChainLink, Election, Participation

VOTERS = 2000
TARGET_PER_S = 500.0
CHEAP_ARGON2 = {"GRASSROOTS_ARGON2_TIME_COST": "1", "GRASSROOTS_ARGON2_MEMORY_KIB": "1024"}
MARK_FIELD = re.compile(r'name="(mark-\d+)" value="abstain"')
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Voter:
    username: str
    session: str = ""
    csrf: str = ""
    marks: tuple[str, ...] = ()


@dataclass
class Answer:
    status: int
    seconds: float
    receipt: bool  # the page with the receipt code


def main() -> int:
    args = _parser().parse_args()
    harness.say(f"load average before starting: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    try:
        figures = _run(args)
    except harness.Skipped as exc:
        print(f"SKIPPED postgres: {exc}", flush=True)
        return 0
    print(f"\n{args.voters:,} voters, each ballot sent twice at once, {args.concurrency} voters at a time")
    print(
        f"postgres  {figures['rate']:,.0f} ballots/s over {figures['wall']:.2f} s  "
        f"p50 {figures['p50']:.0f} ms  p99 {figures['p99']:.0f} ms  (load average {figures['load']:.2f})"
    )
    checks = figures["checks"]
    for name, (got, wanted) in checks.items():
        print(f"  {name:<28} {got:>6}  (want {wanted}){'' if got == wanted else '  WRONG'}")
    correct = all(got == wanted for got, wanted in checks.values())
    fast = figures["rate"] >= TARGET_PER_S
    print(f"ballots/s >= {TARGET_PER_S:.0f} with no duplicate: {'PASS' if fast and correct else 'FAIL'}")
    if not correct:
        return 1
    return 1 if args.check and not fast else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Casting ballots twice at once, on PostgreSQL.")
    parser.add_argument("--voters", type=int, default=VOTERS, help=f"({VOTERS:,})")
    parser.add_argument("--concurrency", type=int, default=16, help="voters casting at a time (16)")
    parser.add_argument("--threads", type=int, help="GRASSROOTS_THREADS of the site (its default)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--floor", nargs="?", const="statements", choices=["statements", "one"],
        help="cast against bench/cast_floor.py: the site's statements (or all in one) and nothing else",
    )  # fmt: skip
    return parser


def _run(args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gr-bench-cast-")))
        env = {**harness.environment(data_dir), **CHEAP_ARGON2}
        if args.threads:
            env["GRASSROOTS_THREADS"] = str(args.threads)
        url = stack.enter_context(harness.postgres_database())
        env["GRASSROOTS_DATABASE_URL"] = url
        harness.say(f"postgres: grassroots demo --voters {args.voters:,}")
        started = time.monotonic()
        printed = harness.run_demo(
            env, data_dir, ["--members", "20", "--residents", "10", "--voters", str(args.voters)]
        )
        harness.say(f"postgres: loaded in {time.monotonic() - started:.0f} s")
        voters = [Voter(line.split(" ")[0]) for line in printed.splitlines() if line.startswith("voter")]
        if len(voters) != args.voters:
            raise RuntimeError(f"the demo printed {len(voters)} voters, not {args.voters}")
        engine = create_engine(url)
        stack.callback(engine.dispose)
        with engine.connect() as conn:
            election_id = conn.scalar(select(Election.id).where(Election.title == BENCH_TITLE))
        site = stack.enter_context(harness.serve_site(env, data_dir))
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda v: _prepare(site.port, election_id, v), voters))
        harness.say(
            f"{len(voters):,} voters logged in with their ballots open in {time.monotonic() - started:.0f} s"
        )
        port = site.port
        if args.floor:
            port = servers.free_port()
            argv = [str(harness.BIN / "python"), str(harness.BENCH_DIR / "cast_floor.py"),
                    "--port", str(port), "--database-url", url, "--form", args.floor]  # fmt: skip
            stack.enter_context(
                servers.serving("floor", argv, port=port, env=env, log_dir=data_dir, ready_path="/healthz")
            )
            harness.say(f"casting against bench/cast_floor.py --form {args.floor}, not the site")
        load = os.getloadavg()[0]
        harness.say(f"load average before casting: {load:.2f}")
        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            pairs = list(pool.map(lambda v: _cast_twice(port, election_id, v), voters))
        wall = time.perf_counter() - started
        for stream, lines in harness.server_stderr(data_dir, ["site", "floor"]).items():
            print(f"WARNING: {stream} wrote to stderr: {lines[-3:]}")
        answers = [a for pair in pairs for a in pair]
        with engine.connect() as conn:
            stored = {
                "ballots": _count(conn, Ballot, election_id),
                "participations": _count(conn, Participation, election_id),
                "chain links": _count(conn, ChainLink, election_id),
                "chain_length": conn.scalar(select(Election.chain_length).where(Election.id == election_id)),
            }
            chain_problems = len(_chain_problems(conn, election_id))
    accepted = sum(1 for a in answers if a.status == 200 and a.receipt)
    statuses = {a.status for a in answers}
    latencies = sorted(a.seconds * 1000 for a in answers)
    n = args.voters
    checks = {
        "casts answered with a receipt": (accepted, n),
        "second attempts refused (409)": (sum(1 for a in answers if a.status == 409), n),
        "pairs with one of each": (sum(1 for p in pairs if sorted(a.status for a in p) == [200, 409]), n),
        "other answers": (sum(1 for a in answers if a.status not in (200, 409)), 0),
        "chain problems": (chain_problems, 0),
        **{f"stored {name}": (value, n) for name, value in stored.items()},
    }
    if statuses - {200, 409}:
        harness.say(f"statuses seen: {sorted(statuses)}")
    return {
        "rate": accepted / wall,
        "wall": wall,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "checks": checks,
        "load": load,
    }


def _count(conn, model, election_id: int) -> int:  # type: ignore[no-untyped-def]
    return conn.scalar(select(func.count()).select_from(model).where(model.election_id == election_id))


def _chain_problems(conn, election_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The stored chain recomputed by the verifier, link by link, up to the election's head."""
    links = conn.execute(
        select(ChainLink.seq, ChainLink.prev, ChainLink.commitment, ChainLink.hash)
        .where(ChainLink.election_id == election_id)
        .order_by(ChainLink.seq)
    )
    head = conn.scalar(select(Election.chain_head).where(Election.id == election_id))
    chain = [dict(link._mapping) for link in links]
    return verifier.check_chain({"election": {"id": election_id}, "chain": chain, "chain_head": head})


def _prepare(port: int, election_id: int, voter: Voter) -> None:
    """Log in through the form, open the ballot: its CSRF token and the candidates' fields."""
    voter.session = servers.log_in(port, voter.username, harness.PASSWORD)
    form = servers.get(port, f"/elections/{election_id}/ballot", {"Cookie": f"gr_session={voter.session}"})
    text = form.body.decode()
    token, marks = CSRF_FIELD.search(text), tuple(MARK_FIELD.findall(text))
    if form.status != 200 or token is None or not marks:
        raise RuntimeError(f"GET the ballot as {voter.username} answered {form.status}, not the form")
    voter.csrf, voter.marks = token.group(1), marks


def _ballot(voter: Voter) -> bytes:
    rng = random.Random(voter.username)
    marks = {field: rng.choice(["approve", "approve", "disapprove", "abstain"]) for field in voter.marks}
    for field in [f for f, mark in marks.items() if mark == "approve"][5:]:
        marks[field] = "abstain"  # at most as many approvals as seats
    return urlencode({**marks, "step": "cast", "csrf_token": voter.csrf}).encode()


def _cast_twice(port: int, election_id: int, voter: Voter) -> tuple[Answer, Answer]:
    """Two connections, the same POST on each, sent back to back; then both answers."""
    body = _ballot(voter)
    request = (
        f"POST /elections/{election_id}/ballot HTTP/1.1\r\nHost: {servers.HOST}:{port}\r\n"
        f"Cookie: gr_session={voter.session}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    sockets = [socket.create_connection((servers.HOST, port), timeout=30) for _ in range(2)]
    try:
        sent = {}
        for sock in sockets:
            sock.sendall(request)
            sent[sock] = time.perf_counter()
        answers = _read_both(sent)
        return answers[sockets[0]], answers[sockets[1]]
    finally:
        for sock in sockets:
            sock.close()


def _read_both(sent: dict[socket.socket, float]) -> dict[socket.socket, Answer]:
    """Read each answer as it comes (the server closes each connection after answering)."""
    chunks: dict[socket.socket, list[bytes]] = {sock: [] for sock in sent}
    answers: dict[socket.socket, Answer] = {}
    with selectors.DefaultSelector() as selector:
        for sock in sent:
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.perf_counter() + 60
        while len(answers) < len(sent):
            if time.perf_counter() > deadline:
                raise TimeoutError("no answer to a cast in 60 s")
            for key, _events in selector.select(timeout=1):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                chunk = sock.recv(65536)
                if chunk:
                    chunks[sock].append(chunk)
                    continue
                selector.unregister(sock)
                raw = b"".join(chunks[sock])
                status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0
                answers[sock] = Answer(status, time.perf_counter() - sent[sock], b'id="receipt-code"' in raw)
    return answers


if __name__ == "__main__":
    sys.exit(main())
